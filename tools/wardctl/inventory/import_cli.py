"""`wardctl inventory import`: the command line, and the City the imported wards become.

Reading and judging the spreadsheet is wardctl.inventory.importer; writing is wardctl.inventory.writer.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from wardctl.errors import WardctlError
from wardctl.inventory.check import summary
from wardctl.inventory.checks import check_inventory
from wardctl.inventory.importer import fold, read_csv
from wardctl.inventory.layout import VAULT_HEADER
from wardctl.inventory.model import City, CityServices, Merger, Ward
from wardctl.inventory.reader import display_path, read_inventory
from wardctl.inventory.rules import is_group_name
from wardctl.inventory.writer import EXAMPLE_VAULT_PASSWORD, placeholder_vault_vars, write_inventory

_PLACEHOLDER_SERVICES = CityServices(
    mgmt_subnets=["203.0.113.0/24"],
    mirror_url="http://mirror.city.invalid/",
    ntp_servers=["ntp.city.invalid"],
    dns_servers=["dns.city.invalid"],
    syslog_server="syslog.city.invalid",
    iperf_server="iperf.city.invalid",
    province_meeting_server="meet.province.invalid",
)


def build_city(wards: list[Ward], *, city_from: Path | None, city_id: str, city_name: str) -> City:
    """The City for the imported wards; city services, mergers and city hall's extra hosts come from
    `city_from` (an existing inventory) when given, placeholders otherwise."""
    if city_from is None:
        return City(city_id, city_name or city_id, _PLACEHOLDER_SERVICES, wards)
    base = read_inventory(city_from)
    ids = {w.id for w in wards}
    for ward in wards:
        # The spreadsheet has one router and one room per ward; keep the hosts it cannot describe.
        old = next((w for w in base.wards if w.id == ward.id), None)
        if old:
            ward.endpoints += [e for e in old.endpoints if e.role != "meeting_room"]
    mergers = [Merger(m.id, m.display_name, [w for w in m.wards if w in ids]) for m in base.mergers]
    return City(
        base.id or city_id,
        base.display_name or city_name or city_id,
        base.services,
        wards,
        [m for m in mergers if m.wards],
        rollout_deadline=base.rollout_deadline,
        timezone=base.timezone,
    )


def add_parser(verbs: Any) -> None:
    parser = verbs.add_parser("import", help="write an inventory from a ward spreadsheet (CSV, one row per ward)")
    parser.add_argument("csv", type=Path, metavar="CSV", help="the spreadsheet, saved as CSV (UTF-8)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="inventory directory to write")
    parser.add_argument(
        "--city-from",
        type=Path,
        metavar="DIR",
        help="take city services, mergers, city-hall hosts and the vault from this inventory",
    )
    parser.add_argument("--force", action="store_true", help="replace DIR even if it is not empty")
    parser.add_argument(
        "--vault-password-file",
        type=Path,
        metavar="FILE",
        help="password for the new vault.yml of CHANGE-ME placeholders (not with --city-from)",
    )
    parser.add_argument("--city-id", help="city id when there is no --city-from (default: the name of DIR)")
    parser.add_argument("--city-name", help="city display name when there is no --city-from")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not args.force:
        raise WardctlError(f"{display_path(out)} exists and is not empty; use --force to replace it")
    result = read_csv(args.csv)
    errors = [p for p in result.problems if p.is_error]
    for problem in result.problems:
        print(problem)
    if errors:
        print(f"{display_path(args.csv)}: {len(errors)} error(s); nothing written")
        return 1

    city_id = args.city_id or _id_from(out.resolve().name)
    if not is_group_name(city_id):
        raise WardctlError(f"--city-id {city_id!r}: use letters, digits and _ (e.g. mycity)")
    city = build_city(result.wards, city_from=args.city_from, city_id=city_id, city_name=args.city_name or "")
    vault_ciphertext, password, note = _vault(args)
    header = (
        f"Written by `wardctl inventory import {args.csv.name}`. Edit freely, then run\n"
        f"`wardctl inventory check -i {display_path(out)}`."
    )
    write_inventory(
        city,
        out,
        vault_vars=placeholder_vault_vars(city),
        vault_password=password,
        header=header,
        vault_ciphertext=vault_ciphertext,
    )
    hosts = sum(len(w.hosts) for w in city.wards)
    print(f"wrote {display_path(out)}: {len(city.wards)} wards, {hosts} hosts; {note}")
    problems = check_inventory(out)
    for problem in problems:
        if problem.is_error:
            print(problem)
    warnings = sum(not p.is_error for p in problems)
    if warnings:
        listing = f"wardctl inventory check -i {display_path(out)}"
        print(f"{warnings} warning(s), mostly placeholders: see `{listing}`")
    print(summary(out, problems))
    return 1 if any(p.is_error for p in problems) else 0


def _id_from(name: str) -> str:
    """A city id from a directory name: inventory/ba-ria -> ba_ria."""
    ident = "".join(ch if ch.isalnum() and ch.isascii() else "_" for ch in fold(name)) or "city"
    return f"city_{ident}" if ident[0].isdigit() else ident


def _vault(args: argparse.Namespace) -> tuple[bytes | None, str, str]:
    """(ciphertext to copy or None, password to encrypt with, what the user should know)."""
    if args.city_from:
        # Copied still encrypted: the city's secrets carry over without anyone typing the password.
        source = args.city_from / "group_vars" / "all" / "vault.yml"
        try:
            ciphertext = source.read_bytes()
        except OSError as exc:
            raise WardctlError(f"cannot read {source}: {exc.strerror or exc}") from None
        if not ciphertext.startswith(VAULT_HEADER.encode()):
            raise WardctlError(f"{source} is not encrypted with ansible-vault; refusing to copy it")
        return ciphertext, "", f"vault.yml copied, still encrypted, from {display_path(source)}"
    if args.vault_password_file:
        try:
            password = args.vault_password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise WardctlError(f"cannot read {args.vault_password_file}: {exc.strerror or exc}") from None
        return None, password, "vault.yml holds CHANGE-ME placeholders: set them with `ansible-vault edit`"
    note = (
        "vault.yml holds CHANGE-ME placeholders encrypted with the example password "
        f"{EXAMPLE_VAULT_PASSWORD!r}: run `ansible-vault rekey` and `ansible-vault edit` on it"
    )
    return None, EXAMPLE_VAULT_PASSWORD, note
