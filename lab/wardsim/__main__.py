"""`python -m wardsim --state-dir DIR`: run the router described by DIR/sim.json."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from wardsim import ios, routeros
from wardsim.server import SimConfigError, serve

# One simulator package per dialect, each exporting its Router class (the names are Netmiko's device types).
SIMULATORS = {"cisco_ios": ios.Router, "mikrotik_routeros": routeros.Router}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wardsim", description=__doc__)
    parser.add_argument("--state-dir", required=True, type=Path, help="directory holding sim.json")
    parser.add_argument("-v", "--verbose", action="store_true", help="also log asyncssh's own messages")
    args = parser.parse_args(argv)
    state_dir: Path = args.state_dir.resolve()
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    log_file = state_dir / "sim.log"
    if state_dir.is_dir() and not _is_stderr(log_file):
        # DIR/sim.log: what the device did (reverts, faults, logins), for whoever debugs a lab run.
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for h in handlers:
        h.setFormatter(fmt)
    logging.basicConfig(level=logging.INFO, handlers=handlers)
    if not args.verbose:
        logging.getLogger("asyncssh").setLevel(logging.WARNING)
    try:
        asyncio.run(serve(state_dir, SIMULATORS))
    except SimConfigError as exc:
        print(f"wardsim: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"wardsim: {exc}", file=sys.stderr)
        return 1
    return 0


def _is_stderr(path: Path) -> bool:
    """True when our stderr already goes to path (a launcher redirected it there): log once."""
    try:
        a, b = os.fstat(sys.stderr.fileno()), os.stat(path)
    except (OSError, ValueError):
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


if __name__ == "__main__":
    sys.exit(main())
