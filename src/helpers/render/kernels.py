"""jupyter_client integration: kernels forked from the zygote, and a client that is ready without waiting.

:class:`ForkKernelManager` plugs the zygote (:mod:`helpers.render.zygote`) into
nbclient as its ``kernel_manager_class``; everything else (timeouts,
dead-kernel detection, shutdown, kill on SIGTERM) goes through jupyter_client as
for a fresh kernel. When the kernel spec does not run ``ipykernel_launcher``
with this interpreter, the provisioner starts a fresh kernel instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import DottedObjectName, Type

from .zygote import start_zygote


def kill_kernels(pid_dir: Path) -> int:
    """Kill the kernels registered in pid_dir (used when a build is interrupted)."""
    killed = 0
    for f in Path(pid_dir).glob("*.pid"):
        try:
            pid_text, _, ipc_dir = f.read_text().partition(" ")
            os.kill(int(pid_text), signal.SIGKILL)
            killed += 1
        except (ValueError, ProcessLookupError, OSError):
            pass
        if ipc_dir.strip():
            shutil.rmtree(ipc_dir.strip(), ignore_errors=True)
        f.unlink(missing_ok=True)
    return killed


class ForkedProcess:
    """The Popen-like handle LocalProvisioner expects, for a kernel the zygote forked."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._signal: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not _running(self.pid):
            # the zygote reaps its children, so the status is not ours to read
            self.returncode = -self._signal if self._signal else 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.005)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            self._signal = signum if signum in (signal.SIGKILL, signal.SIGTERM) else self._signal
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


def _is_ipykernel_cmd(cmd: list[str]) -> bool:
    """``python [-X...] -m ipykernel_launcher ...`` of this interpreter (a kernelspec written by ipykernel
    install adds -Xfrozen_modules=off, an option for the debugger of a new interpreter, moot in a fork)."""
    if "ipykernel_launcher" not in cmd:
        return False
    i = cmd.index("ipykernel_launcher")
    return (
        i >= 2
        and cmd[i - 1] == "-m"
        and all(a.startswith("-X") for a in cmd[1 : i - 1])
        and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
    )


class ForkProvisioner(LocalProvisioner):
    """Launch the kernel as a fork of this process's zygote instead of a new process."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if not _is_ipykernel_cmd(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = os.path.abspath(kwargs.get("cwd") or os.getcwd())  # relative to this process, as for Popen
        try:
            pid = start_zygote(cwd).spawn(cmd, env, cwd)
        except RuntimeError:  # it died (killed from outside, out of memory): start another one, once
            try:
                pid = start_zygote(cwd).spawn(cmd, env, cwd)
            except RuntimeError as exc:
                print(f"{exc}; starting a fresh kernel instead", file=sys.stderr, flush=True)
                return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        await super().kill(restart)
        if isinstance(self.process, ForkedProcess):
            # the zygote reaps it within milliseconds; waiting here spares the manager's 0.1-s polling
            deadline = time.monotonic() + 1.0
            while self.process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.002)

    async def wait(self):
        if isinstance(self.process, ForkedProcess):
            while await self.poll() is None:
                await asyncio.sleep(0.005)
            ret, self.process = self.process.returncode, None
            return ret
        return await super().wait()


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, minus the 0.2 s of silence it waits for after every kernel start.

    ``wait_for_ready`` asks for ``kernel_info`` until the reply comes, checks that
    IOPub delivers, then drains IOPub until 0.2 s pass without a message: with
    a forked kernel ready in about 50 ms, that silence was most of a report's
    kernel start. Here the drain ends at the ``idle`` status of the answered
    ``kernel_info`` request, the last message the kernel publishes for it, which
    also proves the IOPub subscription is live before the first cell is sent
    (nothing a cell prints can be lost). When that status does not arrive within
    50 ms (it is lost when the kernel published it before the subscription
    reached it), the request is sent again, as jupyter_client does.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                if await self._idle_after(reply["parent_header"].get("msg_id", msg_id)):
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _idle_after(self, msg_id: str) -> bool:
        from queue import Empty

        while True:
            try:
                msg = await self.iopub_channel.get_msg(timeout=0.05)
            except Empty:
                return False
            if (
                msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
                and msg["parent_header"].get("msg_id") == msg_id
            ):
                return True


class ForkProvisioning:
    """Mix into a jupyter_client kernel manager (asynchronous or blocking): its kernels are forked from the zygote."""

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)


class ForkKernelManager(ForkProvisioning, AsyncKernelManager):
    """nbclient's kernel manager, with kernels forked from the zygote."""

    client_class = DottedObjectName("helpers.render.kernels.ReadyClient")
    client_factory = Type(ReadyClient, klass=AsyncKernelClient, config=True)
