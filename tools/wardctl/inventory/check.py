"""`wardctl inventory check`: validate an inventory directory against docs/inventory.md.

Every finding is one line, `ERROR <file>:<line> <ward or host>: <field>: <what is wrong>`, so a
sysadmin can fix them all in one pass; placeholders (documentation addresses) are WARNINGs.
The checker itself is wardctl.inventory.checks, the value rules wardctl.inventory.rules.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wardctl.errors import WardctlError
from wardctl.inventory.checks import check_inventory as check_inventory  # the public entry point, kept here
from wardctl.inventory.checks import read_checked as read_checked
from wardctl.inventory.reader import Problem, display_path
from wardctl.paths import repo_root

# Which inventory to check when -i is not given: this variable, else the one Ansible itself would use.
INVENTORY_ENV = "WARDCTL_INVENTORY"


def default_inventory() -> Path:
    """$WARDCTL_INVENTORY, else $ANSIBLE_INVENTORY, else ansible.cfg's `inventory`: configuration, not a city."""
    root = repo_root()
    for name in (INVENTORY_ENV, "ANSIBLE_INVENTORY"):
        value = os.environ.get(name, "").split(",")[0].strip()
        if value:
            return _absolute(value, root)
    config = Path(os.environ.get("ANSIBLE_CONFIG") or root / "ansible.cfg")
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(config, encoding="utf-8")
    except configparser.Error as exc:
        raise WardctlError(f"cannot read {config}: {exc}") from None
    value = parser.get("defaults", "inventory", fallback="").split(",")[0].strip()
    if not value:
        raise WardctlError(f"no inventory: pass -i DIR, or set {INVENTORY_ENV} (no `inventory` in {config})")
    return _absolute(value, config.parent)  # Ansible reads a relative path from its config file's directory


def _absolute(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def summary(path: Path, problems: Iterable[Problem]) -> str:
    problems = list(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    verdict = "OK" if not errors else "FAILED"
    return f"{display_path(path)}: {verdict}: {errors} error(s), {warnings} warning(s)"


def add_parser(verbs: Any) -> None:
    parser = verbs.add_parser("check", help="validate an inventory directory (docs/inventory.md)")
    parser.add_argument(
        "-i",
        "--inventory",
        type=Path,
        metavar="DIR",
        help=f"inventory directory (default: ${INVENTORY_ENV}, else ansible.cfg's inventory)",
    )
    parser.add_argument("--json", action="store_true", help="print the problems as JSON")
    parser.add_argument("--strict", action="store_true", help="fail on warnings (placeholders) too")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.inventory if args.inventory else default_inventory()
    problems = check_inventory(path)
    failed = any(p.is_error for p in problems) or (args.strict and bool(problems))
    if args.json:
        report: dict[str, Any] = {
            "inventory": display_path(path),
            "ok": not failed,
            "errors": sum(p.is_error for p in problems),
            "warnings": sum(not p.is_error for p in problems),
            "problems": [p.as_dict() for p in problems],
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(problem)
        print(summary(path, problems) + (" (--strict: warnings fail)" if args.strict and problems and failed else ""))
    return 1 if failed else 0
