"""The state directory and its files: private to the user who runs wardctl, whatever the umask.

The record holds hosts, failures and router diffs; the lock holds a pid; crash traces hold whatever the code
was handling. None of it is for other local users: the directory is 0700 and every file in it 0600.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from wardctl.paths import repo_root

DIR_MODE, FILE_MODE = 0o700, 0o600


def state_dir() -> Path:
    return Path(os.environ.get("WARDCTL_STATE_DIR", repo_root() / "state")).resolve()


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) and make it 0700; mkdir's mode alone is subject to the umask."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    with contextlib.suppress(PermissionError):  # someone else's directory: theirs to keep
        path.chmod(DIR_MODE)
    return path


def open_private(path: Path, flags: int = os.O_RDWR) -> int:
    """Open (creating it 0600 if missing) a file in a private directory; returns the descriptor."""
    private_dir(path.parent)
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    with contextlib.suppress(PermissionError):
        os.fchmod(fd, FILE_MODE)  # an older file, or one created under a lax umask, is made private too
    return fd


def touch_private(path: Path) -> Path:
    os.close(open_private(path))
    return path
