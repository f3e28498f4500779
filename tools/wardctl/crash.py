"""The last resort for a bug: one line for the user, the full trace in a private file under the state dir.

The trace can hold whatever the code was handling (hosts, paths, a config line), so it is masked, written 0600
in the 0700 state directory, and never printed.
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from pathlib import Path

from wardctl.masking import mask_text
from wardctl.record.state import open_private, state_dir

KEEP = 20  # traces kept; older ones go


def report(exc: BaseException) -> str:
    """Write the trace; the one line to print, naming the file."""
    text = mask_text("".join(traceback.format_exception(exc)))
    try:
        path = _write(state_dir() / "errors", text)
    except OSError:  # the state directory itself is the problem: the system's temporary directory then
        fd, name = tempfile.mkstemp(prefix="wardctl-error-", suffix=".txt")  # 0600
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        path = Path(name)
    first = mask_text(str(exc).splitlines()[0] if str(exc) else "")
    return f"unexpected error {type(exc).__name__}{': ' + first[:200] if first else ''} (a bug; trace in {path})"


def _write(folder: Path, text: str) -> Path:
    path = folder / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}.txt"
    with os.fdopen(open_private(path, os.O_WRONLY | os.O_TRUNC), "w", encoding="utf-8") as fh:
        fh.write(text)
    for old in sorted(folder.glob("*.txt"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return path
