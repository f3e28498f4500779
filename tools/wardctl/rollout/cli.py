"""`wardctl rollout`: roll the city out ward by ward (see docs/rollout.md for exit codes and the record)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from wardctl.lab.config import LabConfig
from wardctl.rollout.engine import Options, rollout


def register(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = verbs.add_parser("rollout", help="apply the playbooks ward by ward, in waves, with health gates")
    p.add_argument("-i", "--inventory", type=Path, help="inventory directory (default: the lab's)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--wards", help="comma-separated ward ids")
    who.add_argument("--all", action="store_true", help="every ward of the inventory (the default)")
    p.add_argument("--canary", help="ward to roll out first, alone")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--wave-size", type=int, help="wards per wave")
    size.add_argument("--waves", help="wave sizes like Ansible's serial: 1,5,100%%")
    p.add_argument("--max-failed-wards", type=int, default=0, help="stop before the next wave beyond this many")
    p.add_argument(
        "--check", action="store_true", help="dry run: exit 0 nothing to change, 2 changes pending, 1 failure"
    )
    p.add_argument("--resume", metavar="RUN", help="re-run only the wards of RUN that are not done")
    p.add_argument("--tags", help="only run plays and tasks tagged with these values")
    p.add_argument("--playbook", default="site.yml", help="playbook under playbooks/ (default site.yml)")
    p.add_argument("--gate-playbook", help="health-gate playbook (default verify.yml when present; '' for none)")
    p.add_argument("--vault-password-file", type=Path, help="default: $ANSIBLE_VAULT_PASSWORD_FILE, or the lab's")
    p.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML, one test case per ward")
    p.add_argument("--plain", action="store_true", help="plain progress lines even on a terminal")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    lab = LabConfig.from_env()
    inventory = (args.inventory or lab.inventory_dir).resolve()
    vault = args.vault_password_file or _default_vault(inventory, lab)
    opts = Options(
        inventory=inventory,
        wards=[w.strip() for w in args.wards.split(",") if w.strip()] if args.wards else None,
        canary=args.canary, wave_size=args.wave_size, waves=args.waves, max_failed_wards=args.max_failed_wards,
        check=args.check, resume=args.resume, tags=args.tags, playbook=args.playbook,
        gate_playbook=args.gate_playbook, vault_password_file=vault, plain=args.plain or None,
    )  # fmt: skip
    code = rollout(opts)
    if args.junit:
        from wardctl.report.junit import write_junit
        from wardctl.rollout.store import Store

        store = Store()
        run = store.run(args.resume) if args.resume else store.run()
        if run is not None:
            write_junit(store, run["run_id"], args.junit)
    return code


def _default_vault(inventory: Path, lab: LabConfig) -> Path | None:
    env = os.environ.get("ANSIBLE_VAULT_PASSWORD_FILE")
    if env:
        return Path(env)
    # The lab's own inventory is encrypted with the lab's generated password; production's never defaults.
    if inventory == lab.inventory_dir.resolve() and lab.vault_password_file.is_file():
        return lab.vault_password_file
    return None
