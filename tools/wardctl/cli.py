"""Command-line entry point: `wardctl <verb> ...`. Each verb lives in its own module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from wardctl import __version__
from wardctl.errors import WardctlError
from wardctl.inventory import cli as inventory_cli
from wardctl.lab import cli as lab_cli
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
        print(f"wardctl: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("wardctl: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
