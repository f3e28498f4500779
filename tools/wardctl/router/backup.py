"""Backups on the controller: `<backup_dir>/<ward>/<router>/<UTC timestamp>.cfg`, created, never overwritten.

A backup is the router's running config as the router prints it (`show running-config`, `/export`). Secrets in
it are what the device itself shows: IOS type-9 hashes, RouterOS none (an export leaves them out). A plain vault
value found in it anyway (say, typed into a description) is masked in the file and reported.

Each backup has a device-side twin of the same name (`flash:wardkit-<stamp>.cfg`, `wardkit-<stamp>.rsc`): the
file the device's own `configure replace` / `/import` restores from, which makes a rollback exact.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from wardctl.masking import Masker

_STAMP = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def utc_stamp(now: float | None = None) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now if now is not None else time.time()))


def folder(backup_dir: Path | str, ward: str, router: str) -> Path:
    for part, what in ((ward, "ward"), (router, "router")):
        if not _SAFE.match(part):
            raise ValueError(f"{what} name {part!r} cannot be a folder name")
    return Path(backup_dir).expanduser() / ward / router


def write(backup_dir: Path | str, ward: str, router: str, text: str, masker: Masker | None = None) -> tuple[Path, bool]:
    """Write a new backup file (0600, never overwriting one); returns (path, had plain secrets).

    The content is written and synced under a temporary name first, then hard-linked to its final name (which
    fails if the name exists): a controller killed mid-write leaves no half backup that a rollback could take."""
    target = folder(backup_dir, ward, router)
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    clean = masker.literal(text) if masker else text
    stamp = utc_stamp()
    fd, tmp = tempfile.mkstemp(prefix=f".{stamp}.", suffix=".tmp", dir=target)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(clean)
            fh.flush()
            os.fsync(fh.fileno())
        for n in range(1, 1000):
            path = target / (f"{stamp}.cfg" if n == 1 else f"{stamp}-{n}.cfg")
            try:
                os.link(tmp, path)
            except FileExistsError:
                continue
            return path, clean != text
    finally:
        os.unlink(tmp)
    raise OSError(f"{target}: no free backup name for {stamp}")


def stamp_of(path: Path) -> str:
    if not _STAMP.match(path.stem):
        raise ValueError(f"{path.name}: not a backup file of this kit (<UTC timestamp>.cfg)")
    return path.stem


def newest_first(where: Path, *, restorable: bool = True) -> list[Path]:
    """This kit's backups of one router, newest first; by default only those a rollback can restore."""
    found = [p for p in where.glob("*.cfg") if _STAMP.match(p.stem) and not (restorable and unrestorable(p))]
    return sorted(found, key=lambda p: (p.stem[:16], int(p.stem[17:] or 1)), reverse=True)


def unrestorable(path: Path) -> str:
    """Why a backup cannot be restored ("" if it can): unreadable, not text, or empty (a write cut short)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"unreadable ({type(exc).__name__})"
    return "" if text.strip() else "empty"


def latest(backup_dir: Path | str, ward: str, router: str) -> Path | None:
    found = newest_first(folder(backup_dir, ward, router))
    return found[0] if found else None
