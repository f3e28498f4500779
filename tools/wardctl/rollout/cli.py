"""`wardctl rollout`: roll the city out ward by ward (see docs/rollout.md for exit codes and the record)."""

from __future__ import annotations

import argparse
from pathlib import Path

from wardctl.record import junit
from wardctl.record.store import Store
from wardctl.rollout.engine import rollout
from wardctl.rollout.settings import Options


def register(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    # Defaults are None ("not given"): a resume takes the run's recorded value; a new run the defaults below.
    p = verbs.add_parser("rollout", help="apply the playbooks ward by ward, in waves, with health gates")
    p.add_argument("-i", "--inventory", type=Path, help="inventory directory (default: the lab's)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--wards", help="comma-separated ward ids")
    who.add_argument("--all", action="store_true", help="every ward of the inventory (the default)")
    p.add_argument("--canary", help="ward to roll out first, alone")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--wave-size", type=int, help="wards per wave")
    size.add_argument("--waves", help="wave sizes like Ansible's serial: 1,5,100%%")
    p.add_argument("--max-failed-wards", type=int, help="stop before the next wave beyond this many (default 0)")
    p.add_argument(
        "--check", action="store_true", help="dry run: exit 0 nothing to change, 2 changes pending, 1 failure"
    )
    p.add_argument("--resume", metavar="RUN", help="re-run the wards of RUN not done, with RUN's recorded settings")
    p.add_argument("--tags", help="only run plays and tasks tagged with these values")
    p.add_argument("--playbook", help="playbook under playbooks/ (default site.yml)")
    p.add_argument("--gate-playbook", help="health-gate playbook (default verify.yml when present; '' for none)")
    p.add_argument("--vault-password-file", type=Path, help="default: $ANSIBLE_VAULT_PASSWORD_FILE, or the lab's")
    p.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML, one test case per ward")
    p.add_argument("--plain", action="store_true", help="plain progress lines even on a terminal")
    p.add_argument("--accelerate", action="store_true",
                   help="Linux endpoint plays under Mitogen (docs/performance.md); routers stay plain")  # fmt: skip
    p.add_argument("--rolling", action="store_true",
                   help="after the first wave, start a ward whenever one finishes (at most the wave size at once), "
                        "longest expected wards first (most machines, slowest lines)")  # fmt: skip
    p.add_argument("--timings", type=Path, metavar="FILE",
                   help="write each playbook run's task durations as JSON (task names and seconds only)")  # fmt: skip
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    opts = Options(
        inventory=args.inventory,
        wards=[w.strip() for w in args.wards.split(",") if w.strip()] if args.wards else None,
        canary=args.canary, wave_size=args.wave_size, waves=args.waves, max_failed_wards=args.max_failed_wards,
        check=args.check, resume=args.resume, tags=args.tags, playbook=args.playbook,
        gate_playbook=args.gate_playbook, vault_password_file=args.vault_password_file, plain=args.plain or None,
        accelerate=args.accelerate, timings=args.timings, rolling=args.rolling,
    )  # fmt: skip
    result = rollout(opts)
    if args.junit:
        store = Store()
        try:
            junit.write_junit(store, result.run_id, args.junit, classname=result.city_id)
        finally:
            store.close()
    return result.code
