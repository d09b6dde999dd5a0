"""The build's event loop: every kernel driven by one process, at most ``workers`` at once, signals kept.

A report's work outside its kernel (parameterizing, exchanging messages,
exporting HTML) takes a few hundredths of a second, so one process drives
every kernel through nbclient's asynchronous API; the kernels are the only
processes that compute.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from pathlib import Path

from ..site.colophon import searched_on
from . import outputs_cache
from .execute import run_job_async
from .jobs import PID_DIR, Interrupted, Job, Result
from .kernels import kill_kernels
from .plan import Plan, prepare
from .zygote import start_zygote_or_say, stop_zygote


def _progress(done: int, total: int) -> None:
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()
    if done == total:
        sys.stderr.write("\r" + " " * (width + 20) + "\r")


def execute_jobs(plan: Plan, staging: Path, failed_dir: Path, meanwhile=None) -> list[Result]:
    """Run the plan's stale reports, at most ``--jobs`` kernels at a time, all driven by this process.

    A report's work outside its kernel (parameterizing, exchanging messages,
    exporting HTML) takes a few hundredths of a second, so one process drives
    every kernel through nbclient's asynchronous API; the kernels are the only
    processes that compute. Unless ``--isolated``, they are forked from one zygote
    (:mod:`helpers.render.zygote`), started here before anything else so that it
    warms up while this process renders the reports whose outputs are kept and,
    in a thread, runs ``meanwhile`` (the tables and citations; it is given an event that is set when the build
    stops, so that it ends at its next step instead of being waited for to the end).
    Each report's parameterized notebook and execution key are made once per build
    (:meth:`.plan.Plan.prepared`, reports without ``--figures``).
    """
    options, shared, jobs = plan.options, plan.shared, plan.stale
    workers, timeout, isolated, reuse = options.jobs, options.cell_timeout, options.isolated, options.reuse
    results: list[Result] = []
    total = len(jobs)
    # each report's notebook is read and parameterized once
    made = {j.name: (prepare(j, staging, shared) if j.figures else plan.prepared(j)) for j in jobs}
    cached = [j for j in jobs if reuse and shared and outputs_cache.exists(made[j.name][1])]
    to_run = [j for j in jobs if j not in cached]
    pid_dir = staging / PID_DIR
    if to_run and not isolated:
        start_zygote_or_say(str(Path(to_run[0].notebook).parent))
    searched = searched_on(options.data_path)  # every colophon states it: looked up once

    def done(res: Result) -> None:
        results.append(res)
        _report(res, len(results), total)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        this, signals = asyncio.current_task(), []

        def on_signal(signum: int) -> None:  # kill the kernels at once, then unwind
            signals.append(signum)
            loop.stopping = True  # the reports whose kernels it kills did not fail: no notebook under _failed/
            _stop_kernels(pid_dir)
            this.cancel()

        loop.own_signals(on_signal)
        stop = threading.Event()  # set when the build stops: what runs meanwhile ends at its next step
        side = loop.run_in_executor(None, meanwhile, stop) if meanwhile is not None else None
        tasks: list = []
        gate = asyncio.Semaphore(max(1, workers))

        def run(job: Job, **how):  # one report, as every call here runs it
            return run_job_async(
                job,
                str(staging),
                str(failed_dir),
                timeout,
                isolated,
                shared,
                prepared=made[job.name],
                searched=searched,
                **how,
            )

        async def one(job: Job) -> Result:
            async with gate:
                return await run(job, reuse=reuse)

        try:
            _progress(0, total)
            for job in cached:
                res = await run(job, reuse_only=True)
                if res is None:  # the entry vanished or is damaged: run it after all
                    to_run.append(job)
                else:
                    done(res)
            tasks = [asyncio.create_task(one(job)) for job in to_run]
            for next_done in asyncio.as_completed(tasks):
                done(await next_done)
        except BaseException:  # cancelled by a signal, or a report that saw its kernel killed by it
            stop.set()
            if signals:
                raise Interrupted(signals[0]) from None
            loop.stopping = True
            _stop_kernels(pid_dir)  # a write failed: no kernel may go on starting while its folder is removed
            raise
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)  # their kernels are shut down or killed
            if side is not None:
                await asyncio.gather(side, return_exceptions=bool(signals))  # it writes into staging: let it finish
            loop.release_signals()

    handlers = {signum: signal.getsignal(signum) for signum in BuildLoop._SIGNALS}
    try:
        with asyncio.Runner(loop_factory=BuildLoop) as runner:
            runner.run(main())
    except BaseException:
        _clear_bar()
        _stop_kernels(pid_dir)
        raise
    finally:
        for signum, handler in handlers.items():  # asyncio leaves the defaults behind
            signal.signal(signum, handler)
    return results


class BuildLoop(asyncio.SelectorEventLoop):
    """The event loop of a build: SIGINT, SIGTERM and SIGHUP stay the build's.

    nbclient adds handlers for both signals for every notebook it runs, and
    removes them when that notebook ends; with several notebooks in one loop,
    the first to end would leave the build with no handler at all. Here the
    build installs its own (:meth:`own_signals`), and nbclient's calls leave
    them in place.
    """

    _SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    _owned = False
    #: set when the build stops for a failure of its own (a write failed): the reports whose kernels it then
    #: kills did not fail, and leave no notebook under _failed/
    stopping = False

    def own_signals(self, callback) -> None:
        for signum in self._SIGNALS:
            super().add_signal_handler(signum, callback, signum)
        self._owned = True

    def release_signals(self) -> None:
        self._owned = False
        for signum in self._SIGNALS:
            super().remove_signal_handler(signum)

    def add_signal_handler(self, sig, callback, *args):
        if self._owned and sig in self._SIGNALS:
            return None
        return super().add_signal_handler(sig, callback, *args)

    def remove_signal_handler(self, sig):
        if self._owned and sig in self._SIGNALS:
            return False
        return super().remove_signal_handler(sig)

    #: nbclient starts this task beside every cell and leaves it running when the cell's wait is cancelled
    #: (an interrupted build); a second later it asserts on the client it polls, whose kernel is gone by then
    _ORPHANED_POLL = "NotebookClient._async_poll_kernel_alive"

    def call_exception_handler(self, context):
        """Everything asyncio reports, except the failure of nbclient's orphaned liveness poll.

        The poll's only job is to cancel its cell's wait when the kernel dies; once that wait was cancelled
        (the build stops) its failure says nothing, yet asyncio would print it as "Task exception was never
        retrieved" with a traceback, at a moment that depends on timing.
        """
        task = context.get("future") or context.get("task")
        coro = task.get_coro() if isinstance(task, asyncio.Task) else None
        if getattr(coro, "__qualname__", "") == self._ORPHANED_POLL:
            return
        super().call_exception_handler(context)


def _report(res: Result, done: int, total: int) -> None:
    _clear_bar()
    status = "ok" if res.ok else "FAILED"
    how = " (code and inputs unchanged: outputs reused)" if res.timings.get("reused") else ""
    print(f"  {status:6} {res.name:45} {res.seconds:5.1f} s{how}", flush=True)
    _progress(done, total)


def _clear_bar() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 60 + "\r")


def _stop_kernels(pid_dir: Path) -> None:
    """Stop at once: no new kernels from the zygote, then kill the running ones."""
    stop_zygote()
    kill_kernels(pid_dir)
