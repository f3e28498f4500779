"""Stopping a playbook run stops its workers too.

ansible-runner cancels a run with SIGKILL to ansible-playbook's process group. ansible-core 2.19 starts each
worker in a session of its own (executor/process/worker.py, `_detach`: `os.setsid()`), so the workers are not in
that group: a worker in the middle of a task — a router push runs in the controller's worker — went on alone after
Ctrl-C, finished its task and could confirm a router's new configuration, while the record said "interrupted".
ansible-playbook forwards SIGTERM to its workers itself (task_queue_manager.py, `_signal_handler`), so SIGTERM goes
to it first; whatever of its process tree is left after a grace period is killed. A router left between its push
and its confirmation then goes back by itself, as after a lost link: the push armed its revert first (IOS's
`configure terminal revert timer`, the kit's scheduled revert script on RouterOS).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

MARK = "WARDCTL_PLAYBOOK_RUN"  # in each ansible-playbook's environment: which run it is
PROC = Path("/proc")


def terminate(tag: str, grace: float = 10.0) -> None:
    """Stop this process's child ansible-playbook whose environment has MARK=tag, and every process under it."""
    parents = _parents()
    me = os.getpid()
    main = next((pid for pid, ppid in parents.items() if ppid == me and _has_mark(pid, tag)), None)
    if main is None:
        return  # not started yet, or already gone
    tree = [main, *_descendants(main, parents)]  # taken now: once the main is gone, its workers have another parent
    _signal(main, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(pid) for pid in tree):
        time.sleep(0.05)
    for pid in tree:
        if _alive(pid):
            _signal(pid, signal.SIGKILL)


def _parents() -> dict[int, int]:
    out: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                # The command name (in parentheses) may hold spaces: the fields after its last ")" are fixed.
                out[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    return out


def _descendants(root: int, parents: dict[int, int]) -> list[int]:
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += children
        frontier = children
    return found


def _has_mark(pid: int, tag: str) -> bool:
    try:
        return f"{MARK}={tag}".encode() in (PROC / str(pid) / "environ").read_bytes().split(b"\0")
    except OSError:
        return False


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to reap it (pexpect reaps ansible-playbook later)."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # gone meanwhile
        os.kill(pid, sig)
