"""`wardctl inventory check|import`: the inventory verbs, each implemented in its own module."""

from __future__ import annotations

from typing import Any

from wardctl.inventory import check, import_cli


def register(verbs: Any) -> None:
    """Add `inventory` and its sub-verbs to the top-level argparse subparsers `verbs`."""
    parser = verbs.add_parser("inventory", help="validate or import an inventory (docs/inventory.md)")
    sub = parser.add_subparsers(dest="inventory_verb", required=True, metavar="VERB")
    check.add_parser(sub)
    import_cli.add_parser(sub)
