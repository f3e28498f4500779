"""`python -m wardctl.sim --state-dir DIR`: run the router described by DIR/sim.json."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from wardctl.sim.server import SimConfigError, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wardctl.sim", description=__doc__)
    parser.add_argument("--state-dir", required=True, type=Path, help="directory holding sim.json")
    parser.add_argument("-v", "--verbose", action="store_true", help="also log asyncssh's own messages")
    args = parser.parse_args(argv)
    state_dir: Path = args.state_dir.resolve()
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if state_dir.is_dir():
        # DIR/sim.log: what the device did (reverts, faults, logins), for whoever debugs a lab run.
        handlers.append(logging.FileHandler(state_dir / "sim.log", encoding="utf-8"))
    for h in handlers:
        h.setFormatter(fmt)
    logging.basicConfig(level=logging.INFO, handlers=handlers)
    if not args.verbose:
        logging.getLogger("asyncssh").setLevel(logging.WARNING)
    try:
        asyncio.run(serve(state_dir))
    except SimConfigError as exc:
        print(f"wardctl.sim: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"wardctl.sim: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
