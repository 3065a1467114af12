"""Jupyter kernels that start with torch already imported: forked, not launched.

Every chapter's kernel imports torch, which takes about two seconds of CPU here: with
twelve chapters that is a fifth of a clean build (and a chapter that makes an
optimiser pays 1.3 s more for torch._dynamo: see `PRELOAD`).
`tools/execute_chapters.py` has torch imported once, by multiprocessing's fork
server, and each chapter's kernel descends from that process by fork (copy on
write: nothing is imported again). The kernel is otherwise the one Jupyter would
launch: the same command line
(``python -m ipykernel_launcher -f <connection file>`` of the kernel spec),
environment, working folder and session, and it is stopped, signalled and waited
for like a launched kernel.

How, in three processes:

1. a worker of `execute_chapters`, forked by multiprocessing's fork server (a fresh
   process that imported torch and nothing of the caller's state), calls
   `prefork()` before it starts any event loop or ZeroMQ context: the child starts a
   session of its own and waits on a pipe;
2. jupyter_client asks `WarmKernelManager` to launch the kernel; it writes the command,
   environment and folder to the pipe, and hands jupyter_client a process handle;
3. the child sets them up and runs ipykernel's entry point in place.

A kernel spec that is not this interpreter's ipykernel is launched the ordinary way
(the preforked child is released unused), so nothing depends on the kernel being
Python.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

LAUNCHER = "ipykernel_launcher"

#: What the fork server imports, so that no chapter's kernel does: torch (about two
#: seconds of CPU); torch._dynamo, which torch imports lazily on the first optimiser a
#: chapter makes (``torch.optim.SGD(...)``: another 1.3 s and some 800 modules, sympy
#: among them); and pyplot (about half a second). None starts a thread. pyplot reads
#: its backend from MPLBACKEND when imported: start the fork server inside
#: `kernel_environment`.
PRELOAD = ("torch", "torch._dynamo", "matplotlib.pyplot")

#: The backend ipykernel gives matplotlib in a kernel whose environment names none
#: (it sets MPLBACKEND at start-up, before any cell runs).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@contextlib.contextmanager
def kernel_environment() -> Iterator[None]:
    """MPLBACKEND as ipykernel would set it in a kernel, for the duration.

    Start the fork server inside it: it imports matplotlib with the backend the
    kernels would give it, and its workers, and so the kernels, inherit the same
    MPLBACKEND that ipykernel would have set. The environment is restored after.
    """
    unset = "MPLBACKEND" not in os.environ
    if unset:
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    try:
        yield
    finally:
        if unset:
            del os.environ["MPLBACKEND"]


class ForkedKernel:
    """The part of ``subprocess.Popen`` that jupyter_client uses, for a forked child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"kernel {self.pid} still running")
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


_waiting: tuple[int, int] | None = None  # (pid, write end of its pipe)


def prefork() -> None:
    """Fork the next kernel now; it waits until `WarmKernelManager` launches it."""
    global _waiting
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write)
        _child(read)  # never returns
    os.close(read)
    _waiting = (pid, write)


def release() -> None:
    """End a preforked kernel that was never launched (its pipe closes: it exits)."""
    global _waiting
    if _waiting is not None:
        pid, write = _waiting
        _waiting = None
        os.close(write)
        os.waitpid(pid, 0)


class WarmKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, launching the kernel `prefork` made."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        global _waiting
        if _waiting is None or not _forkable(kernel_cmd):
            release()
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        pid, write = _waiting
        _waiting = None
        env = dict(kw.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher does
        cwd = str(kw.get("cwd") or os.getcwd())
        order = {"cmd": kernel_cmd, "env": env, "cwd": cwd, "path": _path(env, cwd)}
        with os.fdopen(write, "w") as pipe:
            json.dump(order, pipe)
        while os.getpgid(pid) != pid:  # the child's own session: signals stay with it
            time.sleep(0.001)
        provisioner = self.provisioner
        provisioner.process = ForkedKernel(pid)
        provisioner.pid = provisioner.pgid = pid
        provisioner.cwd = cwd
        self._reconcile_connection_info(provisioner.connection_info)


def _forkable(cmd: list[str]) -> bool:
    """Whether ``cmd`` launches this interpreter's ipykernel (what a fork becomes)."""
    python = os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
    return python and cmd[1:3] == ["-m", LAUNCHER]


def _path(env: dict[str, str], cwd: str) -> list[str]:
    """sys.path of a kernel launched with ``env`` in ``cwd``: what this interpreter
    starts with there, less the folder that `ipykernel_launcher` removes."""
    probe = [sys.executable, "-c", "import json, sys; print(json.dumps(sys.path))"]
    done = subprocess.run(probe, env=env, cwd=cwd, capture_output=True, check=True)
    path = json.loads(done.stdout)
    if path and (path[0] == "" or Path(path[0]) == Path(cwd)):
        del path[0]
    return path


def _child(read: int) -> None:
    """The preforked kernel: wait for the launch order, then become the kernel."""
    status = 1
    try:
        os.setsid()  # what jupyter_client's launcher does (start_new_session)
        with os.fdopen(read) as pipe:
            text = pipe.read()
        if not text:  # released without a launch
            os._exit(0)
        order = json.loads(text)
        os.chdir(order["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.environ.clear()
        os.environ.update(order["env"])
        # The process's own streams, whatever the forking process put in their place.
        for name in ("stdin", "stdout", "stderr"):
            setattr(sys, name, getattr(sys, f"__{name}__"))
        sys.path[:] = order["path"]
        sys.argv = [LAUNCHER, *order["cmd"][3:]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        status = 0
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else 1
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(status)
