"""Jupyter kernels that start with torch already imported: forked, not launched.

A chapter's kernel imports torch, torch._dynamo (on its first optimiser) and pyplot:
3.4 s of CPU (``python -c "import torch, torch._dynamo, matplotlib.pyplot"``), 40 s
for 12 chapters, against `make bench`'s clean-build budget of 35 s (31.8 s warm).
`WarmProvisioner`, a jupyter_client kernel provisioner (registered in the entry point
group `jupyter_client.kernel_provisioners` by `gradlab_book_tools-0.dist-info` beside
this file), has multiprocessing's fork server import them once and forks each kernel
from it: otherwise the kernel Jupyter launches (command line, environment, folder,
sys.path, its own session, watching its parent: the fork server, which ends with
the build). GRADLAB_WARM_KERNELS=0 turns it off.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import subprocess
import sys

from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner

NAME = "gradlab-warm-kernel"  # as the entry point names it
LAUNCHER = "ipykernel_launcher"
#: What the fork server imports so that no kernel does (none of them starts a thread).
PRELOAD = ("torch", "torch._dynamo", "matplotlib.pyplot")


def use(warm: bool) -> None:
    """Start this process's kernels warm, or as Jupyter does."""
    # pyplot takes its backend from MPLBACKEND when the fork server imports it: the
    # one ipykernel sets in a kernel whose environment names none.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    factory = KernelProvisionerFactory.instance()
    factory.default_provisioner_name = NAME if warm else "local-provisioner"


class WarmProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, forking this interpreter's ipykernel. A
    forked kernel's life (poll, wait, signals) is handled here, through the
    provisioner API's own methods; any other kernel is launched as LocalProvisioner
    does."""

    forked: multiprocessing.Process | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if not _forkable(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        self.cwd = str(kwargs.get("cwd") or os.getcwd())
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        path = await asyncio.to_thread(_path, env, self.cwd)
        order = (cmd[3:], env, self.cwd, path)
        self.forked = context.Process(target=_kernel, args=order)
        await asyncio.to_thread(self.forked.start)
        return self.connection_info

    @property
    def has_process(self) -> bool:
        return self.forked is not None or super().has_process

    async def poll(self) -> int | None:
        return await super().poll() if self.forked is None else self.forked.exitcode

    async def wait(self) -> int | None:
        if self.forked is None:
            return await super().wait()
        while self.forked.exitcode is None:  # the caller bounds the wait
            await asyncio.sleep(0.05)
        code = self.forked.exitcode
        self.forked.close()
        self.forked = None
        return code

    async def send_signal(self, signum: int) -> None:
        if self.forked is None:
            return await super().send_signal(signum)
        try:  # the kernel's session, once the child has made it (`_kernel`)
            os.killpg(self.forked.pid, signum)
        except ProcessLookupError:
            if self.forked.exitcode is None:  # not yet a session of its own
                os.kill(self.forked.pid, signum)
        return None

    async def kill(self, restart: bool = False) -> None:
        if self.forked is None:
            return await super().kill(restart)
        return await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        if self.forked is None:
            return await super().terminate(restart)
        return await self.send_signal(signal.SIGTERM)


def _forkable(cmd: list[str]) -> bool:
    """Whether ``cmd`` launches this interpreter's ipykernel (what a fork becomes)."""
    python = os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
    return python and cmd[1:3] == ["-m", LAUNCHER]


def _path(env: dict[str, str], cwd: str) -> list[str]:
    """sys.path of ipykernel launched with ``env`` in ``cwd``: what this interpreter
    starts with there, less the folder that `ipykernel_launcher` removes."""
    probe = [sys.executable, "-c", "import json, sys; print(json.dumps(sys.path))"]
    done = subprocess.run(probe, env=env, cwd=cwd, capture_output=True, check=True)
    path = json.loads(done.stdout)
    return path[1:] if path and path[0] in ("", cwd) else path


def _kernel(argv: list[str], env: dict[str, str], cwd: str, path: list[str]) -> None:
    """The forked child: set up as a launched kernel is, then run ipykernel."""
    os.setsid()  # as jupyter_client's launcher does (start_new_session)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env, JPY_PARENT_PID=str(os.getppid()))  # the kernel watches it
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    sys.path[:], sys.argv = path, [LAUNCHER, *argv]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
