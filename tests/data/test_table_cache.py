"""The validated-table cache cannot lie: an entry gives exactly the validated table or is a miss.

Probe cases 46 (a .csv renamed .xlsx), 94 (an entry of another type) and 95 (single-bit flips).
"""

from __future__ import annotations

import hashlib
import pickle
import random

import numpy as np
import pandas as pd
import pytest

from helpers.data import table_cache
from helpers.data.loader import LineNumbers, load_studies
from helpers.errors import TableError
from support.tables import write_rows


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("HELPERS_CACHE", str(folder))
    return folder


@pytest.fixture
def small(tmp_path, shipped_rows):
    """A valid four-row study table (every dtype the loader makes, missing cells in most columns)."""
    return write_rows(tmp_path / "studies.csv", shipped_rows[:4])


def identical(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same columns, dtypes (categories and their order), values bit for bit, missing cells and line numbers."""
    if list(a.columns) != list(b.columns) or a.columns.dtype != b.columns.dtype or not a.index.equals(b.index):
        return False
    for c in a.columns:
        x, y = a[c], b[c]
        if x.dtype != y.dtype or not x.isna().equals(y.isna()):
            return False
        if isinstance(x.dtype, pd.CategoricalDtype):
            cx, cy = x.cat.categories, y.cat.categories
            if list(cx) != list(cy) or cx.dtype != cy.dtype or x.cat.ordered != y.cat.ordered:
                return False
            if not np.array_equal(x.cat.codes.to_numpy(), y.cat.codes.to_numpy()):
                return False
        elif x.dtype == np.float64:
            if x.to_numpy().tobytes() != y.to_numpy().tobytes():  # -0.0 and 0.0 differ here
                return False
        elif list(x[x.notna()]) != list(y[y.notna()]):
            return False
    return tuple(a.attrs.get("lines", ())) == tuple(b.attrs.get("lines", ()))


def entry_of(table: pd.DataFrame):
    return table_cache.entry_path(table.attrs["cache_key"])


# ------------------------------------------------------------------ a hit is the validated table
def test_a_hit_is_exactly_the_validated_table(cache, small):
    fresh = load_studies(small, cache=False)
    first = load_studies(small)  # validates and stores
    hit = load_studies(small)
    assert entry_of(first).is_file() and hit.attrs["cache_key"] == first.attrs["cache_key"]
    assert identical(hit, fresh) and identical(first, fresh)
    assert isinstance(hit.attrs["lines"], LineNumbers) and hit.attrs["source_path"] == str(small)
    hit.loc[0, "n_ketamine"] = 999  # writable, as a validated table is, and the entry does not follow
    assert identical(load_studies(small), fresh)


def test_every_dtype_round_trips_bit_for_bit():
    table = pd.DataFrame(
        {
            "f": np.array([-0.0, np.nan, 1e-300, 0.1 + 0.2]),
            "i": pd.array([None, 0, -(2**63) + 1, 2**63 - 1], dtype="Int64"),
            "s": pd.array(["", None, "naïve 😀 \x00 end", "x"], dtype=table_cache.STRING),
            "c": pd.Categorical(["b", None, "a", "b"], categories=["b", "a", "z"], ordered=True),
            "u": pd.Categorical([None] * 4, categories=["only"]),
        }
    )
    table.attrs.update(source_path="p.csv", lines=LineNumbers([2, 3, 7, 8]))
    back = table_cache.decode(table_cache.encode(table))
    assert identical(back, table) and back.attrs["source_path"] == "p.csv"
    assert back.loc[0, "s"] == "" and back["s"].isna().tolist() == [False, True, False, False]
    # negative control: the comparison sees a sign bit, an empty string turned missing, a category order
    for column, other in (
        ("f", [0.0, np.nan, 1e-300, 0.1 + 0.2]),
        ("s", pd.array([None, None, "naïve 😀 \x00 end", "x"], dtype=table_cache.STRING)),
        ("c", pd.Categorical(["b", None, "a", "b"], categories=["a", "b", "z"], ordered=True)),
    ):
        assert not identical(back.assign(**{column: other}), table)


def test_a_table_the_format_cannot_hold_is_not_stored(cache):
    table = pd.DataFrame({"f": [1.0, 2.0]})
    table_cache.put("k" * 32, table.assign(o=pd.Series([object(), 1], dtype=object)))
    assert not cache.exists() or not list(cache.iterdir())
    table_cache.put("k" * 32, table)  # negative control: the same table without the object column is stored
    assert identical(table_cache.get("k" * 32), table)


# ------------------------------------------------------------------ damaged and planted entries (cases 94, 95)
def flipped(data: bytes, i: int, bit: int) -> bytes:
    damaged = bytearray(data)
    damaged[i] ^= 1 << bit
    return bytes(damaged)


def test_no_flipped_bit_loads_other_data_or_raises(cache, small, capsys):
    validated = load_studies(small)
    entry, key = entry_of(validated), validated.attrs["cache_key"]
    good = entry.read_bytes()
    # every byte, a different bit of each, in memory: the digest refuses each flip before anything is decoded
    refused = 0
    for i in range(len(good)):
        try:
            table_cache.decode(flipped(good, i, i % 8))
        except table_cache.EntryError:
            refused += 1
    assert refused == len(good)
    # 300 random bits through the cache's reader: each a miss (never other data, never an exception)
    capsys.readouterr()
    rng = random.Random(95)
    for i in rng.sample(range(len(good)), 300):
        entry.write_bytes(flipped(good, i, rng.randrange(8)))
        assert table_cache.get(key) is None
    said = capsys.readouterr().err.splitlines()  # once for all the flips, naming the entry
    assert len(said) == 1 and said[0].startswith(f"helpers: ignored the table cache entry {entry}: ")
    entry.write_bytes(good)  # negative control: the undamaged entry is a hit
    assert identical(table_cache.get(key), validated)


def resigned(data: bytes) -> bytes:
    """The entry with its digest recomputed: what a reader that did not check the digest would see."""
    end = data.index(b"\n")
    return table_cache.HEADER + hashlib.sha256(data[end + 1 :]).hexdigest().encode() + data[end:]


def test_without_the_digest_flips_would_load_other_data(cache, small):
    """Negative control for the flip test: the flips do change what the payload decodes to."""
    validated = load_studies(small)
    good = entry_of(validated).read_bytes()
    values = good.index(b"\n", good.index(b"\n") + 1) + 1  # after the header and the manifest: the cells
    other = raised = 0
    for i in random.Random(7).sample(range(values, len(good)), 100):
        try:
            got = table_cache.decode(resigned(flipped(good, i, i % 8)))
        except Exception:
            raised += 1
            continue
        other += not got.equals(validated)  # a coarser test than identical(): it can only count fewer
    assert other >= 50, (other, raised)  # silently different data (66 of 100 when written), as in the probe


@pytest.mark.parametrize(
    "payload",
    [
        b"[1, 2, 3]",
        pickle.dumps([1, 2, 3]),
        b'{"rows": 1, "columns": [{"name": "a", "dtype": "object", "parts": [1]}], "attrs": {}}\nx',
        b'{"rows": 2, "columns": [{"name": "a", "dtype": "float64", "parts": [8]}], "attrs": {}}\n' + bytes(8),
        b'{"rows": 0, "columns": [], "attrs": {"lines": {"code": "import os"}}}\n',
    ],
    ids=["json-list", "pickle", "unknown-dtype", "short-column", "odd-attr"],
)
def test_a_planted_entry_with_a_valid_digest_but_not_a_table_is_a_miss(cache, small, payload, capsys):
    validated = load_studies(small)
    entry = entry_of(validated)
    entry.write_bytes(table_cache.HEADER + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    capsys.readouterr()
    again = load_studies(small)
    assert identical(again, validated)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(entry) in err and "Traceback" not in err
    assert identical(table_cache.get(validated.attrs["cache_key"]), validated)  # rewritten by the validation


def test_an_entry_is_never_unpickled(cache, small, tmp_path):
    validated = load_studies(small)
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    # negative control: unpickling these bytes does run code
    pickle.loads(pickle.dumps(Evil()))
    assert marker.exists()
    marker.unlink()
    payload = pickle.dumps(Evil())
    for data in (payload, table_cache.HEADER + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload):
        entry_of(validated).write_bytes(data)
        assert identical(load_studies(small), validated)
    assert not marker.exists()


def test_an_unreadable_entry_is_a_miss(cache, small, capsys):
    validated = load_studies(small)
    entry = entry_of(validated)
    entry.unlink()
    entry.mkdir()  # reading it raises IsADirectoryError
    capsys.readouterr()
    assert table_cache.get(validated.attrs["cache_key"]) is None
    assert table_cache.get(validated.attrs["cache_key"]) is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(entry) in err and "cannot be read" in err


# ------------------------------------------------------------------ the reader is part of the key (case 46)
def test_a_csv_renamed_xlsx_is_refused_whether_or_not_the_cache_is_warm(cache, small, tmp_path):
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes(small.read_bytes())
    load_studies(small)  # warm: these bytes validated as CSV
    for _ in range(2):  # warm, then cold
        with pytest.raises(TableError) as info:
            load_studies(renamed)
        assert "not_a_workbook" in str(info.value)
        for p in cache.iterdir():
            p.unlink()
    # negative control: the same bytes under another CSV name share the key (it is the bytes and the reader)
    copy = tmp_path / "copy.csv"
    copy.write_bytes(small.read_bytes())
    assert load_studies(copy).attrs["cache_key"] == load_studies(small).attrs["cache_key"]
