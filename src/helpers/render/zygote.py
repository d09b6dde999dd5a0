"""The zygote: one process per build that imported the kernel's stack once, and forks a kernel per report.

A fresh kernel per report costs about two seconds before its first cell runs:
starting Python, importing ipykernel, IPython, pyzmq, and then, in the first
cells, pandas, matplotlib, SciPy and ``helpers``. The cells themselves take a
few tenths of a second. This module keeps the kernel and removes the imports:

- A build forks, once, a *zygote*: a process that imports that stack
  (:data:`WARM_MODULES`) and does nothing else. It never opens a socket, starts
  a thread of its own (OpenBLAS's pool handles ``fork``) or runs notebook code.
  It is forked before the build imports matplotlib or starts a thread. A
  zygote that dies is replaced once; after that the build starts fresh kernels.
- For each report the zygote forks again. The child becomes an ordinary
  ``ipykernel`` kernel (``IPKernelApp``, the code ``python -m ipykernel_launcher``
  runs) with the command line, environment, working directory, ``sys.path``,
  session and stdin a fresh kernel would have, and talks to nbclient over the
  same IPC sockets (:mod:`helpers.render.kernels`). The notebook's cells,
  display hooks, inline figures, stream capture, execution counts and
  tracebacks are therefore ipykernel's own.
- A child starts from the zygote's state, never from another report's: nothing a
  notebook sets (globals, module attributes, ``rcParams``, pandas options) can
  reach the next report, and a crash or hang kills only that child.

What differs from a fresh kernel, on purpose: the modules of
:data:`WARM_MODULES` are already in ``sys.modules`` when the first cell runs
(imported as a fresh kernel would import them: same working directory, same
``MPLBACKEND``; matplotlib's backend itself is still chosen lazily by the
kernel), the process title is rewritten to the kernel's command line,
NumPy's legacy global random state is reseeded from the OS as a new process
would seed it, and the objects imported by the zygote sit in the garbage
collector's permanent generation (``gc.freeze``), so that collections in a
kernel do not copy the pages it shares with the zygote. A child also starts
with no asyncio event loop, as a new process does.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..startup import allow_rfc3987_syntax
from .warmup import INLINE_BACKEND, WARM_MODULES, warm_data


class Zygote:
    """A forked process holding the imported stack; forks one kernel per request."""

    def __init__(self, cwd: str | Path | None = None, clean: bool | None = None):
        from multiprocessing import Pipe

        cwd = os.path.abspath(cwd or os.getcwd())
        ours, theirs = Pipe()
        self._popen = None
        if clean is None:
            clean = needs_clean_start()
        if clean:  # a new interpreter: this process's modules carry state a kernel must not inherit
            self._popen = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys\nfrom helpers.render.zygote import zygote_from_fd\n"
                    "zygote_from_fd(int(sys.argv[1]), sys.argv[2])",
                    str(theirs.fileno()),
                    cwd,
                ],
                pass_fds=(theirs.fileno(),),
                cwd=cwd,
            )
            theirs.close()
            self.pid, self.conn = self._popen.pid, ours
            self._ready = None
            return
        pid = os.fork()
        if pid == 0:  # the zygote
            ours.close()
            _run_zygote(theirs, cwd)
        theirs.close()
        self.pid, self.conn = pid, ours
        self._ready: float | None = None  # read when first needed: the build validates and plans meanwhile

    @property
    def started_clean(self) -> bool:
        """True when it is a new interpreter rather than a fork of the build (see :func:`needs_clean_start`)."""
        return self._popen is not None

    @property
    def ready(self) -> float:
        """Seconds the zygote spent importing (waits for it to finish)."""
        if self._ready is None:
            try:
                self._ready = self.conn.recv()
            except (EOFError, OSError):
                self.close()
                raise RuntimeError(
                    "the process that forks kernels failed to start (its error is printed above)"
                ) from None
        return self._ready

    def spawn(self, cmd: list[str], env: dict, cwd: str) -> int:
        self.ready  # noqa: B018 (a failed warm-up raises here)
        try:
            self.conn.send(("fork", cmd, env, cwd))
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise RuntimeError(f"the process that forks kernels (pid {self.pid}) is gone: {exc}") from None

    def warm(self, data_path: str | Path) -> None:
        """Have the data set loaded and its findings computed before the next kernel is forked (no reply)."""
        try:
            self.conn.send(("warm", os.path.abspath(data_path)))
        except (EOFError, OSError):
            pass  # a zygote that is gone is replaced when a kernel is asked for

    def alive(self) -> bool:
        if self._popen is not None:
            return self._popen.poll() is None
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def close(self, kill: bool = False) -> None:
        """Let it go (it kills the kernels it forked that still run, then exits); ``kill``: do not wait for it."""
        if self._popen is not None:
            self.conn.close()
            if kill and self._ready is None:  # still importing: nothing of it is needed
                self._popen.kill()
            try:
                self._popen.wait(0.5 if kill else None)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()
            return
        try:
            self.conn.close()
            if kill and self._ready is None:  # still importing: nothing of it is needed
                os.kill(self.pid, signal.SIGKILL)
            if kill:
                deadline = time.monotonic() + 0.5
                while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
                    if time.monotonic() > deadline:
                        os.kill(self.pid, signal.SIGKILL)
                        os.waitpid(self.pid, 0)
                        break
                    time.sleep(0.005)
            else:
                os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass


_ZYGOTE: Zygote | None = None

#: modules whose state a kernel forked from this process would inherit instead of starting clean
STATEFUL = ("matplotlib", "IPython", "ipykernel")


def needs_clean_start() -> bool:
    """True when this process already imported what a kernel must import fresh (a build called from a
    notebook or another program): the zygote is then a new interpreter instead of a fork of this one.
    (pyzmq is imported by papermill; a fork is unsafe only for a zmq context, and none exists before the
    first kernel starts.)"""
    import zmq

    return any(name in sys.modules for name in STATEFUL) or zmq.Context._instance is not None


def zygote_from_fd(fd: int, cwd: str) -> None:
    """Entry point of a zygote started as a new interpreter (see :func:`needs_clean_start`)."""
    from multiprocessing.connection import Connection

    _run_zygote(Connection(fd), cwd)


def _run_zygote(conn, cwd: str) -> None:
    """Be the zygote until the build lets go; never returns."""
    code = 0
    try:
        _zygote_main(conn, cwd)
    except (BrokenPipeError, ConnectionResetError, EOFError):
        pass  # the build ended (a refused table, Ctrl-C) before the warm-up did
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


def start_zygote(cwd: str | Path | None = None) -> Zygote:
    """Start this process's zygote (call it while the process has a single thread)."""
    global _ZYGOTE
    if _ZYGOTE is None or not _ZYGOTE.alive():
        import atexit

        _ZYGOTE = Zygote(cwd)
        atexit.register(_ZYGOTE.close, kill=True)  # the build takes its zygote with it (its kernels are done)
    return _ZYGOTE


def stop_zygote() -> None:
    """Stop at once: no new kernels from this process's zygote (the running ones are killed by pid)."""
    global _ZYGOTE
    if _ZYGOTE is not None:
        _ZYGOTE.close(kill=True)
        _ZYGOTE = None


def warm_zygote(data_path: str | Path) -> None:
    """Warm this process's zygote, if it has one, with the build's data set (:func:`.warmup.warm_data`)."""
    if _ZYGOTE is not None:
        _ZYGOTE.warm(data_path)


def start_zygote_or_say(cwd: str) -> None:
    """:func:`start_zygote`, saying why when it cannot start (reports still run, on fresh kernels)."""
    try:
        start_zygote(cwd)
    except RuntimeError as exc:
        print(exc, file=sys.stderr, flush=True)


def _fresh_sys_path(cwd: str) -> list[str]:
    """``sys.path`` of a fresh ``python -m ipykernel_launcher`` after it removed its own folder."""
    out = subprocess.run(
        [sys.executable, "-c", "import sys, json; print(json.dumps(sys.path[1:]))"],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
    ).stdout
    return json.loads(out)


def _zygote_main(conn, cwd: str) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the build decides what stops
    children: set[int] = set()

    def reap(*_):
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children.discard(pid)

    signal.signal(signal.SIGCHLD, reap)
    start = time.perf_counter()
    os.chdir(cwd)
    sys_path = _fresh_sys_path(cwd)
    # a kernel sets this before any cell runs (IPKernelApp.init_gui_pylab); matplotlib reads it at import
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    # debugpy warns on import about frozen modules; a kernel imports it after its stderr went to IOPub
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    allow_rfc3987_syntax()  # skipped by the build's own processes only (helpers.startup)
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the kernel will raise it where a fresh kernel would
            pass
    # matplotlib's inline backend hooks itself into the shell when it is imported; with no shell
    # here that would never happen, so it must be imported by the kernel, when a figure needs it
    for name in [m for m in sys.modules if m == "matplotlib_inline" or m.startswith("matplotlib_inline.")]:
        del sys.modules[name]
    gc.collect()
    gc.freeze()  # keep the collector from touching (and so copying) the shared pages in every child
    conn.send(time.perf_counter() - start)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the build is gone: take its kernels with it
            for pid in list(children):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            return
        if request[0] == "warm":
            warm_data(request[1])
            gc.collect()
            gc.freeze()  # what the warm-up made is shared like the imports
            continue
        _, cmd, env, kernel_cwd = request
        pid = os.fork()
        if pid == 0:
            conn.close()
            _kernel_main(cmd, env, kernel_cwd, sys_path)
        children.add(pid)
        conn.send(pid)


def _kernel_main(cmd: list[str], env: dict, cwd: str, sys_path: list[str]) -> None:
    """Become ``python -m ipykernel_launcher -f <connection file>``; never returns."""
    code = 1
    try:
        os.setsid()  # as jupyter_client's launcher does (start_new_session)
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)  # a fresh kernel's stdin is a pipe closed at the other end
        os.dup2(devnull, 0)
        os.close(devnull)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # as Popen(close_fds=True)
        # no event loop, as in a new process (a zygote restarted during a build inherits the build's loop)
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop_policy(None)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the kernel exits if the zygote goes away
        import ipykernel_launcher

        # the arguments after the module, whatever interpreter options precede it (a kernelspec written by
        # ipykernel install adds -Xfrozen_modules=off: an option of a new interpreter, not of a fork)
        sys.argv = [ipykernel_launcher.__file__, *cmd[cmd.index("ipykernel_launcher") + 1 :]]
        sys.path[:] = sys_path
        _set_process_title(cmd)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        os.write(2, traceback.format_exc().encode())  # sys.stderr may be the kernel's IOPub stream by now
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _set_process_title(argv: list[str]) -> None:
    """Show the kernel's command line in ps/pgrep, as setproctitle does (Linux; truncated to fit)."""
    try:
        import ctypes

        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start and arg_end (fields 48 and 49)
        size = end - start
        if size < 2:
            return
        data = "\0".join(argv).encode()[: size - 1]
        ctypes.memmove(start, data + b"\0" * (size - len(data)), size)
    except (OSError, ValueError, IndexError, ImportError):
        pass
