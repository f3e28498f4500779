"""`wardctl lab image | up | down | status`: the built-in lab city."""

from __future__ import annotations

import argparse
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.lab import image
from wardctl.lab.config import LabConfig
from wardctl.lab.down import down
from wardctl.lab.status import as_json, render, status
from wardctl.lab.up import up
from wardctl.paths import repo_root


def register(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    lab = verbs.add_parser("lab", help="the built-in lab: a city of containers and router simulators")
    lab.add_argument("--name", help="lab instance (default: $WARDCTL_LAB_NAME or wardlab)")
    sub = lab.add_subparsers(dest="lab_verb", required=True, metavar="ACTION")

    p = sub.add_parser("image", help="build the lab's Debian image (once; cached)")
    p.add_argument("--rebuild", action="store_true", help="build even if an image of the same recipe exists")
    p.set_defaults(func=_image)

    p = sub.add_parser("up", help="start the lab (idempotent) and write its inventory")
    p.add_argument("--wards", type=int, help="how many wards besides city hall (default: every ward of the city)")
    p.add_argument("--from", dest="source", type=Path, help="the city inventory the lab copies (default: the only "
                   "one in inventory/ besides the lab's own)")  # fmt: skip
    p.set_defaults(func=_up)

    p = sub.add_parser("down", help="remove every container, network and simulator the lab started")
    p.set_defaults(func=_down)

    p = sub.add_parser("status", help="list lab hosts and routers")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_status)


def _cfg(args: argparse.Namespace) -> LabConfig:
    return LabConfig.from_env(args.name)


def _image(args: argparse.Namespace) -> int:
    cfg = _cfg(args)
    if not image.build(cfg, force=args.rebuild):
        print(f"lab image {cfg.image} is current (recipe {image.recipe_id()})")
    return 0


def default_source(root: Path | None = None) -> Path:
    """The city the lab copies without --from: the only inventory under inventory/ besides the default lab's own
    (inventory/lab, LabConfig.inventory_dir). The kit names no city: two cities there need --from."""
    base = (root or repo_root()) / "inventory"
    found = sorted(p for p in base.glob("*/hosts.yml") if p.parent.name != "lab")
    if len(found) != 1:
        names = ", ".join(p.parent.name for p in found) or "none"
        raise WardctlError(f"lab up: name the city inventory to copy with --from (inventory/ holds: {names})")
    return found[0].parent


def _up(args: argparse.Namespace) -> int:
    up(_cfg(args), args.source or default_source(), args.wards)
    return 0


def _down(args: argparse.Namespace) -> int:
    down(_cfg(args))
    return 0


def _status(args: argparse.Namespace) -> int:
    data = status(_cfg(args))
    print(as_json(data) if args.json else render(data))
    return 0
