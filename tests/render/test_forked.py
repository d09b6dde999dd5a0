"""A call forked from the zygote (helpers.render.forked): its value, its error and a stop come back to the build."""

import threading

import pytest

from helpers.data.dataset import DataSetError
from helpers.paths import ROOT
from helpers.render.forked import ForkedCallError, call_forked
from helpers.render.zygote import Zygote
from helpers.site.data_outputs import Stopped

pytestmark = pytest.mark.process


@pytest.fixture(scope="module")
def zygote():
    z = Zygote(ROOT, clean=True)  # a new interpreter, whatever this test process imported before
    yield z
    z.close(kill=True)


def test_a_forked_call_returns_its_value_made_in_the_builds_folder(zygote, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert call_forked(zygote, "os:getcwd", ()) == str(tmp_path)
    assert call_forked(zygote, "os.path:join", ("a", "b")) == "a/b"


def test_a_forked_calls_error_is_raised_here(zygote):
    with pytest.raises(ValueError, match="invalid literal"):
        call_forked(zygote, "builtins:int", ("not a number",))


def test_an_error_that_cannot_be_made_again_comes_back_as_its_traceback(zygote, tmp_path):
    """A data-set error holds its tables' problems, not the message it is made from: it comes back as text."""
    bad = tmp_path / "studies.csv"
    bad.write_text("not,a,study,table\n1,2,3,4\n", encoding="utf-8")
    with pytest.raises((ForkedCallError, DataSetError), match="studies.csv"):
        call_forked(zygote, "helpers.data.dataset:load_dataset", (str(bad),))


def test_a_stopped_build_kills_the_call_at_once(zygote):
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    with pytest.raises(Stopped):
        call_forked(zygote, "time:sleep", (60,), stop)
    # and the zygote still serves
    assert call_forked(zygote, "os.path:join", ("c", "d")) == "c/d"
