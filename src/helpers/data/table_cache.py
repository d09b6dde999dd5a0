"""Validated tables kept between processes, in a format that cannot run code and is checked when read.

A report build loads the same table in every kernel; validating it each time
would cost a second per kernel on a large table. So a table that validated is
kept under a key of everything its validation depends on: the file's bytes,
the reader that parsed them (CSV or xlsx: a CSV renamed .xlsx is another
table), the sheet, the schema, the code of this subpackage, the year and
pandas' version.

An entry is a header line naming the format and the sha256 of the payload
that follows: one line of JSON (the rows, each column's name, exact dtype
(float64, Int64, string, or a categorical with its categories in order) and
the sizes of its parts, and the table's attrs), then each column's parts as
little-endian arrays (numbers, masks, codes) or UTF-8 text with each value's
length. Not pickle: reading an entry never runs code.

An entry whose digest does not match, that does not decode, or that any
exception interrupts is a miss: said once on stderr, and the table is
validated again (and the entry rewritten). It never gives different data.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..digest import code_digest
from ..paths import ROOT
from . import csvfile
from .schema import schema_path
from .spreadsheet import is_spreadsheet

HEADER = b"helpers-table 2 sha256="
SUFFIX = ".table"
#: the only string dtype a column may have (what the loader makes: pandas' own storage, missing as <NA>)
STRING = pd.StringDtype("python", na_value=pd.NA)

_said: set[str] = set()  # entries already reported as ignored by this process


class EntryError(ValueError):
    """A cache entry that is not a table this module wrote (damaged, truncated, planted)."""


def cache_dir() -> Path:
    return Path(os.environ.get("HELPERS_CACHE") or (ROOT / ".cache" / "tables"))


def table_key(path: Path, name: str, sheet: str, code: tuple[Path, ...]) -> str | None:
    """The key of ``path`` (read with its suffix's reader) validated as table ``name`` by ``code``; None if unkeyable."""
    try:
        if path.stat().st_size > csvfile.MAX_BYTES:  # refused when read: never cached
            return None
        h = hashlib.sha256(path.read_bytes())
    except OSError:
        return None
    h.update(b"\0reader\0" + (b"xlsx" if is_spreadsheet(path) else b"csv"))
    h.update(sheet.encode())
    h.update(code_digest(*code).encode())
    h.update(name.encode())
    h.update(schema_path(name).read_bytes())
    h.update(str(_dt.date.today().year).encode())  # the year rule moves with the calendar
    h.update(pd.__version__.encode())
    return h.hexdigest()[:32]


def entry_path(key: str) -> Path:
    return cache_dir() / f"{key}{SUFFIX}"


def get(key: str) -> pd.DataFrame | None:
    """The table stored under ``key``, or None (absent, or ignored with one line on stderr)."""
    path = entry_path(key)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _ignored(path, f"cannot be read ({exc.strerror or type(exc).__name__})")
        return None
    try:
        return decode(data)
    except EntryError as exc:
        _ignored(path, str(exc))
    except Exception as exc:  # whatever a damaged entry raises, the table is validated instead
        _ignored(path, f"does not decode ({type(exc).__name__})")
    return None


def put(key: str, table: pd.DataFrame) -> None:
    """Store ``table`` under ``key`` (best effort: a table this format cannot hold exactly is not stored)."""
    try:
        data = encode(table)
    except (ValueError, TypeError):  # e.g. text that is not valid Unicode: validated each time instead
        return
    if data is None:
        return
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, folder / f"{key}{SUFFIX}")
    except OSError:
        pass  # a cache that cannot be written only costs time


def _ignored(path: Path, why: str) -> None:
    if str(path) not in _said:
        _said.add(str(path))
        print(f"helpers: ignored the table cache entry {path}: {why}; validating the table again", file=sys.stderr)


# ------------------------------------------------------------------ the format
_CODES = {"int8": "<i1", "int16": "<i2", "int32": "<i4", "int64": "<i8"}


def encode(table: pd.DataFrame) -> bytes | None:
    """The entry's bytes: header with the payload's digest, then the payload; None if not exactly storable."""
    index = table.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        return None
    if not table.columns.is_unique or not all(isinstance(c, str) for c in table.columns):
        return None
    columns, parts = [], []
    for name in table.columns:
        encoded = _encode_column(table[name])
        if encoded is None:
            return None
        meta, blobs = encoded
        columns.append({"name": name, **meta, "parts": [len(b) for b in blobs]})
        parts += blobs
    attrs = {}
    for k, v in table.attrs.items():
        if isinstance(v, str):
            attrs[k] = {"str": v}
        elif isinstance(v, tuple) and all(type(i) is int for i in v):  # LineNumbers
            attrs[k] = {"ints": list(v)}
        else:
            return None
    manifest = json.dumps({"rows": len(table), "columns": columns, "attrs": attrs}, ensure_ascii=False)
    payload = b"".join([manifest.encode("utf-8"), b"\n", *parts])
    return HEADER + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def _encode_column(col: pd.Series) -> tuple[dict, list[bytes]] | None:
    dtype = col.dtype
    if dtype == np.float64:
        return {"dtype": "float64"}, [col.to_numpy().astype("<f8").tobytes()]
    if isinstance(dtype, pd.Int64Dtype):
        mask = col.isna().to_numpy()
        values = col.to_numpy(dtype="int64", na_value=0)
        return {"dtype": "Int64"}, [values.astype("<i8").tobytes(), mask.astype("u1").tobytes()]
    if isinstance(dtype, pd.StringDtype) and dtype == STRING:
        values = col.to_numpy(dtype=object, na_value=None).tolist()
        lengths = np.array([-1 if v is None else len(v) for v in values], dtype="<i8")
        text = "".join(v for v in values if v is not None).encode("utf-8")
        return {"dtype": "string"}, [text, lengths.tobytes()]
    if isinstance(dtype, pd.CategoricalDtype):
        cats = dtype.categories
        if not all(isinstance(c, str) for c in cats) or pd.Index(list(cats)).dtype != cats.dtype:
            return None  # categories rebuilt from a list of text would get another dtype
        codes = col.cat.codes.to_numpy()
        meta = {
            "dtype": "category",
            "categories": list(cats),
            "ordered": bool(dtype.ordered),
            "codes": codes.dtype.name,
        }
        return meta, [codes.astype(_CODES[codes.dtype.name]).tobytes()]
    return None


def decode(data: bytes) -> pd.DataFrame:
    """The table in an entry's bytes; raises EntryError (or whatever malformed input raises) otherwise."""
    # memoryviews: the payload (megabytes for a large table) is hashed and cut without being copied
    end = data.find(b"\n")
    if end < 0 or not data.startswith(HEADER):
        raise EntryError("not a table entry of this version")
    payload = memoryview(data)[end + 1 :]
    if data[len(HEADER) : end] != hashlib.sha256(payload).hexdigest().encode():
        raise EntryError("its contents do not match their digest")
    split = data.find(b"\n", end + 1)
    if split < 0:
        raise EntryError("not a table")
    doc = json.loads(str(memoryview(data)[end + 1 : split], "utf-8"))
    blobs = memoryview(data)[split + 1 :]
    if not isinstance(doc, dict) or set(doc) != {"rows", "columns", "attrs"}:
        raise EntryError("not a table")
    rows = doc["rows"]
    if type(rows) is not int or rows < 0:
        raise EntryError("not a table")
    columns, at = {}, 0
    for column in doc["columns"]:
        sizes = column["parts"]
        if not all(type(n) is int and n >= 0 for n in sizes) or column["name"] in columns:
            raise EntryError("not a table")
        parts = []
        for n in sizes:
            parts.append(blobs[at : at + n])
            at += n
        columns[str(column["name"])] = _decode_column(column, parts, rows)
    if at != len(blobs):
        raise EntryError("not a table")
    table = pd.DataFrame(columns, index=pd.RangeIndex(rows))
    for k, v in doc["attrs"].items():
        if set(v) == {"str"} and isinstance(v["str"], str):
            table.attrs[k] = v["str"]
        elif set(v) == {"ints"} and all(type(i) is int for i in v["ints"]):
            table.attrs[k] = tuple(v["ints"])
        else:
            raise EntryError("not a table")
    return table


def _array(blob: memoryview, dtype: str, rows: int) -> np.ndarray:
    values = np.frombuffer(blob, dtype=dtype)
    if len(values) != rows or len(blob) != values.nbytes:
        raise EntryError("not a table")
    return values.astype(dtype[1:], copy=True)  # native order, and writable (a notebook may assign to it)


@lru_cache(maxsize=256)
def _categories(categories: tuple, ordered: bool) -> pd.CategoricalDtype:
    # building a dtype checks its categories (0.2 ms); tables share enumerations and kernels load them repeatedly
    return pd.CategoricalDtype(list(categories), ordered=ordered)


def _decode_column(column: dict, parts: list[memoryview], rows: int):
    kind = column["dtype"]
    if kind == "float64" and len(parts) == 1:
        return _array(parts[0], "<f8", rows)
    if kind == "Int64" and len(parts) == 2:
        return pd.arrays.IntegerArray(_array(parts[0], "<i8", rows), _array(parts[1], "<u1", rows).astype(bool))
    if kind == "string" and len(parts) == 2:
        text, lengths = str(parts[0], "utf-8"), _array(parts[1], "<i8", rows)
        ends = np.cumsum(np.maximum(lengths, 0))
        if len(ends) and ends[-1] != len(text):
            raise EntryError("not a table")
        values = np.empty(rows, dtype=object)
        values[:] = [text[e - n : e] for e, n in zip(ends.tolist(), lengths.tolist())]
        values[lengths < 0] = pd.NA
        return pd.arrays.StringArray(values)
    if kind == "category" and len(parts) == 1:
        dtype = _categories(tuple(column["categories"]), column["ordered"] is True)
        return pd.Categorical.from_codes(_array(parts[0], _CODES[column["codes"]], rows), dtype=dtype)
    raise EntryError("not a table")
