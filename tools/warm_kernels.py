"""Jupyter kernels that start with torch already imported: forked, not launched.

Each chapter's kernel imports torch, torch._dynamo (on the first optimiser it makes)
and pyplot: 3.4 s of CPU (``python -c "import torch, torch._dynamo,
matplotlib.pyplot"``, median of 5), 40 s for 12 chapters. `make bench`'s clean build
is 31.8 s with warm kernels, against a budget of 35 s; GRADLAB_WARM_KERNELS=0 turns
them off (clean builds taken in turn on a busy 2-core machine: 1.21 times slower).
`WarmProvisioner`, a jupyter_client kernel provisioner, has multiprocessing's fork
server import them once and forks each kernel from it. The kernel is otherwise the
one Jupyter launches: same command line, environment, folder and sys.path, its own
session, watching its parent. It is registered in the entry point group
`jupyter_client.kernel_provisioners` by `gradlab_book_tools-0.dist-info` beside this
file (found on sys.path, as installed distributions are).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
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
    """jupyter_client's local provisioner, forking this interpreter's ipykernel."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if not _forkable(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        self.cwd = str(kwargs.get("cwd") or os.getcwd())
        multiprocessing.get_context("forkserver").set_forkserver_preload(list(PRELOAD))
        order = (cmd[3:], env, self.cwd, _path(env, self.cwd))
        self.process = ForkedKernel(target=_kernel, args=order)
        await asyncio.to_thread(self.process.start)
        self.pid = self.pgid = self.process.pid  # its own session: see `_kernel`
        return self.connection_info


class ForkedKernel(multiprocessing.get_context("forkserver").Process):
    """A child of the fork server, with what jupyter_client uses of a ``Popen``."""

    stdin = stdout = stderr = None

    def poll(self) -> int | None:
        return self.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        self.join(timeout)
        return self.exitcode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)


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
