"""Command-line entry point: `wardctl <verb> ...`. Each verb lives in its own module."""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
from collections.abc import Sequence

from wardctl import __version__, crash
from wardctl.errors import WardctlError
from wardctl.inventory import cli as inventory_cli
from wardctl.lab import cli as lab_cli
from wardctl.record.state import state_dir
from wardctl.report import cli as report_cli
from wardctl.rollout import cli as rollout_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wardctl", description=__doc__)
    parser.add_argument("--version", action="version", version=f"wardctl {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    inventory_cli.register(verbs)
    lab_cli.register(verbs)
    rollout_cli.register(verbs)
    report_cli.register(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except WardctlError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("wardctl: interrupted", file=sys.stderr)
        return 130
    # Bad state a user can fix, named in one line: the record, a spreadsheet.
    except sqlite3.DatabaseError as exc:
        return _fail(f"the run record is unreadable ({exc}); move {state_dir() / 'runs.db'} aside to start a new one")
    except csv.Error as exc:
        source = getattr(args, "csv", None)
        return _fail(f"{source or 'CSV'}: not a spreadsheet wardctl can read ({exc})")
    except Exception as exc:  # a bug: one line here, the trace in a private file
        return _fail(crash.report(exc))


def _fail(message: str) -> int:
    print(f"wardctl: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
