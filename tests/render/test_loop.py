"""An interrupted build stays quiet: what asyncio reports reaches stderr, except nbclient's orphaned liveness poll, and no kernel clean-up is left for exit."""

import asyncio
import gc
import logging

import nbformat
from nbclient import NotebookClient

from helpers.render.loop import BuildLoop


def unretrieved_failure(loop: asyncio.AbstractEventLoop, make_coro, caplog) -> list[str]:
    """Run ``make_coro()`` as a task nobody awaits until it has failed, drop it, and return what asyncio logged."""

    async def main():
        task = asyncio.ensure_future(make_coro())
        while not task.done():
            await asyncio.sleep(0)

    caplog.clear()
    # what existed before is frozen, so the collection below visits only what this run made (the task, its
    # coroutine and their cycle), not the whole heap of the test process (0.3 s a time); made inside, the task
    # is never frozen with it
    gc.freeze()
    try:
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            loop.run_until_complete(main())
            gc.collect()  # the task's __del__ reports an exception nobody retrieved
    finally:
        gc.unfreeze()
    return [r.getMessage() for r in caplog.records if r.name == "asyncio"]


def test_orphaned_kernel_poll_is_quiet_and_other_failures_still_reported(monkeypatch, caplog):
    real_sleep = asyncio.sleep

    async def no_wait(_delay, *args):  # the poll sleeps a second between checks
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", no_wait)
    loop = BuildLoop()
    try:
        # what an interrupted build leaves behind: the poll outlives its cell, and its client has no kernel
        client = NotebookClient(nbformat.v4.new_notebook())
        assert client.kc is None
        assert unretrieved_failure(loop, client._async_poll_kernel_alive, caplog) == []

        async def something_else():
            raise AssertionError("a real failure")

        logged = unretrieved_failure(loop, something_else, caplog)
        assert any("never retrieved" in m for m in logged), logged
    finally:
        loop.close()


def test_the_plain_loop_would_have_printed_it(monkeypatch, caplog):
    """Negative control: without the build loop's handler, the same orphan is reported."""
    real_sleep = asyncio.sleep

    async def no_wait(_delay, *args):
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", no_wait)
    loop = asyncio.SelectorEventLoop()
    try:
        client = NotebookClient(nbformat.v4.new_notebook())
        logged = unretrieved_failure(loop, client._async_poll_kernel_alive, caplog)
        assert any("never retrieved" in m for m in logged), logged
    finally:
        loop.close()


def test_an_interrupted_notebook_leaves_no_kernel_clean_up_for_exit(monkeypatch, tmp_path):
    """nbclient's atexit clean-up of a notebook whose run was cancelled is taken back: at exit it would fail
    on the emptied client and print a traceback after "build interrupted"."""
    import atexit

    from helpers.render.execute import execute_notebook_async

    registered = []

    def register(func, *args, **kwargs):
        registered.append(func)
        return func

    def unregister(func):
        registered[:] = [f for f in registered if f != func]

    monkeypatch.setattr(atexit, "register", register)
    monkeypatch.setattr(atexit, "unregister", unregister)

    async def cancelled_midway(self, **kwargs):  # what nbclient does before a signal stops the build
        atexit.register(self._cleanup_kernel)
        raise asyncio.CancelledError

    monkeypatch.setattr(NotebookClient, "async_execute", cancelled_midway)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    try:
        asyncio.run(execute_notebook_async(nb, cwd=tmp_path, pid_dir=tmp_path / "pids"))
    except asyncio.CancelledError:
        pass
    assert registered == []
