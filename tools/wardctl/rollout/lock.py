"""One rollout at a time per state directory: two runs pushing to the same routers would interleave.

The lock is the first thing a rollout takes, before it reads or writes the record: a second rollout (or a
resume of a live run) leaves the record exactly as it was.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.record.state import open_private


class Held:
    """The held lock; `claim` names the run in it once the run id is known (for the refusal message)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def claim(self, what: str) -> None:
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{what}, pid {os.getpid()}\n".encode(), 0)


@contextmanager
def exclusive(state: Path, what: str = "starting") -> Iterator[Held]:
    fd = open_private(state / "rollout.lock")
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            raise WardctlError(f"another rollout is running ({holder}); wait for it or stop it first") from None
        held = Held(fd)
        held.claim(what)
        yield held
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing releases the flock, also when the process dies
