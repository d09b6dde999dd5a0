"""A call forked from the zygote beside the kernels: the site's data outputs of a build.

A build writes, while its reports run, what depends on the data alone: tables, citation files, the index's
answers, each report's summary and what changed since the last version (:mod:`helpers.site.data_outputs`).
In the build's own process that meant importing the report stack and computing the data set's findings a
second time, on the core the kernels need, and holding the interpreter lock of the process that drives
them. The zygote has both already (:mod:`.warmup`): a process forked from it makes the call, writes its
value to a file and exits. Its value and its error are the call's own; a build that stops kills it.
"""

from __future__ import annotations

import importlib
import os
import pickle
import select
import signal
import tempfile
import time
import traceback
from pathlib import Path

#: seconds between two looks at the forked process and the build's stop event
POLL_S = 0.02


class ForkedCallError(RuntimeError):
    """The forked call raised an error that could not be handed back as it was (its traceback is the text)."""


def run_forked(target: str, args: tuple, result: str, cwd: str, env: dict) -> None:
    """In the process the zygote forked: call ``module:function`` with ``args`` in the build's working folder
    and environment, and write ("ok", value) or ("error", exception, traceback) to ``result``. Never returns."""
    code = 1
    try:
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        module, name = target.split(":")
        try:
            data = pickle.dumps(("ok", getattr(importlib.import_module(module), name)(*args)))
        except Exception as exc:  # handed back to the build, which raises it (or its traceback, if need be)
            data = pickle.dumps(("error", _pickled(exc), traceback.format_exc()))
        tmp = f"{result}.part"
        Path(tmp).write_bytes(data)
        os.replace(tmp, result)
        code = 0
    finally:
        os._exit(code)


def call_forked(zygote, target: str, args: tuple, stop=None, here=None):
    """Make the call in a process forked from ``zygote`` and return its value (raise its error). When ``stop``
    (a threading.Event) is set meanwhile, the process is killed and :class:`helpers.site.data_outputs.Stopped`
    raised. A zygote that is gone (it failed to start or died) raises RuntimeError, or returns ``here()``."""
    from ..site.data_outputs import Stopped

    folder = Path(tempfile.mkdtemp(prefix="helpers-forked-"))
    result = folder / "result.pickle"
    try:
        try:
            pid = zygote.call(target, args, str(result), os.getcwd(), dict(os.environ))
        except RuntimeError:
            if here is None:
                raise
            return here()
        _wait(pid, stop, Stopped)
        try:
            out = pickle.loads(result.read_bytes())
        except FileNotFoundError:
            raise ForkedCallError(f"{target} ended without a result (its error is printed above)") from None
    finally:
        for p in folder.iterdir():
            p.unlink(missing_ok=True)
        folder.rmdir()
    if out[0] == "ok":
        return out[1]
    try:
        exc = pickle.loads(out[1]) if out[1] is not None else None
    except Exception:  # an error whose class cannot be made again from its arguments
        exc = None
    raise exc if isinstance(exc, BaseException) else ForkedCallError(f"{target} failed:\n{out[2]}")


def _pickled(exc: BaseException) -> bytes | None:
    try:
        return pickle.dumps(exc)
    except Exception:
        return None


def _wait(pid: int, stop, stopped: type[Exception]) -> None:
    """Until process ``pid`` (not this process's child: the zygote's) has ended; kill it if ``stop`` is set."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:  # ended, and reaped by the zygote, already
        return
    except (AttributeError, OSError):  # no pidfd here: look at the process itself
        fd = None
    try:
        while True:
            if stop is not None and stop.is_set():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
                raise stopped
            if fd is not None:
                if select.select([fd], [], [], POLL_S)[0]:
                    return
            else:
                try:
                    os.kill(pid, 0)
                except OSError:
                    return
                time.sleep(POLL_S)
    finally:
        if fd is not None:
            os.close(fd)


def site_outputs(data_path: str, folder: str, jobs, shown) -> dict:
    """:func:`helpers.site.data_outputs.write_data_outputs` of the data set at ``data_path`` (the one the
    zygote's warm-up loaded), as the forked call runs it."""
    from ..site.data_outputs import write_data_outputs
    from .warmup import warmed_dataset

    return write_data_outputs(warmed_dataset(data_path), Path(folder), jobs, shown)
