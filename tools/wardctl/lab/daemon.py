"""Background processes of the lab (router simulators, the apt proxy): one folder each, holding its pid, its
log and its `ready` marker. They outlive `wardctl lab up`; `lab down` stops them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from wardctl.errors import WardctlError


def log_path(folder: Path, module: str) -> Path:
    """`sim.log` for wardsim, `aptproxy.log` for wardctl.lab.aptproxy: what the process printed (the same file
    the simulator logs to itself, so it is written once)."""
    return folder / f"{module.rsplit('.', 1)[-1].removeprefix('ward')}.log"


def pid_of(folder: Path, module: str) -> int | None:
    """The PID if `python -m module` for this folder is running (checked in /proc, not just the pid file)."""
    try:
        pid = int((folder / "pid").read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if module.encode() in cmdline and str(folder).encode() in cmdline else None


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan's zombie lingers where PID 1 does not reap)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _alive(folder: Path) -> bool:
    """The pid file's process is alive. (Its cmdline may still be the parent's for a moment after fork, before
    exec, so this deliberately does not look at the cmdline.)"""
    try:
        return alive(int((folder / "pid").read_text()))
    except (OSError, ValueError):
        return False


def start(folder: Path, module: str, *args: str, path: Path | None = None) -> int:
    """Start `python -m module *args` unless it runs; args must name the folder (pid_of looks for it).
    `path`: a folder to put first on the module search path (the lab's simulators are not installed)."""
    if (pid := pid_of(folder, module)) is not None:
        return pid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ready").unlink(missing_ok=True)
    with open(log_path(folder, module), "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, env=_env(path),
        )  # fmt: skip
    (folder / "pid").write_text(f"{proc.pid}\n")
    return proc.pid


def _env(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    old = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(path), old) if p)}


def wait_ready(folders: list[Path], module: str, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    pending = list(folders)
    while pending and time.monotonic() < deadline:
        pending = [d for d in pending if not (d / "ready").exists()]
        dead = [d for d in pending if not _alive(d)]
        if dead:
            tail = log_path(dead[0], module).read_text(errors="replace").strip().splitlines()[-1:] or ["no log"]
            raise WardctlError(f"{what} {dead[0].name} exited: {tail[0]}")
        time.sleep(0.05)
    if pending:
        raise WardctlError(f"{what} {pending[0].name} not ready after {timeout:.0f} s")


def stop(folder: Path, module: str, timeout: float = 5.0) -> bool:
    pid = pid_of(folder, module)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_of(folder, module) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_of(folder, module) is not None:
        os.kill(pid, signal.SIGKILL)
    (folder / "ready").unlink(missing_ok=True)
    return True
