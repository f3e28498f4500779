"""Ward checks: each ward group's variables, router and room, and the mergers that regroup wards."""

from __future__ import annotations

from pathlib import Path

from wardctl.inventory.checks.base import CheckerBase, Where
from wardctl.inventory.layout import CITY_FILE, MERGER_FILE, MERGER_NAME_VAR, MERGER_PREFIX
from wardctl.inventory.model import WARD_KINDS
from wardctl.inventory.reader import Vars
from wardctl.inventory.rules import is_group_name, is_placeholder_phone, phone_error, shown, text_error


class WardChecks(CheckerBase):
    def check_wards(self) -> None:
        raw = self.raw
        registry = self.registry
        for ward in self.ward_groups:
            if registry and ward not in registry:
                self.err(
                    ward,
                    "city_wards",
                    "ward group is not in the ward registry city_wards (group_vars/all/city.yml)",
                    self.group_where(ward),
                )
            if not is_group_name(ward):
                self.err(
                    ward,
                    "group",
                    "not a valid Ansible group name (letters, digits and _)",
                    self.group_where(ward),
                )
        city_file = self.root.joinpath(*CITY_FILE)
        for ward in registry:
            if ward in self.ward_groups:
                continue
            where = self.raw.group_vars_of("all").where.get("city_wards", (city_file, None))
            if ward in raw.groups:
                self.err(
                    ward,
                    "group",
                    "is in city_wards but its group is not a child of wards in hosts.yml",
                    self.group_where(ward),
                )
            else:
                self.err(ward, "group", "is in city_wards but hosts.yml has no such ward group under wards", where)

        names: dict[str, str] = {}
        for ward in self.ward_groups:
            gv = raw.group_vars_of(ward)
            gv_file = self.root / "group_vars" / f"{ward}.yml"

            def at(var: str, gv: Vars = gv, gv_file: Path = gv_file) -> Where:
                return gv.where.get(var, (gv_file, None))

            if not gv.opaque or gv.values:
                for var in ("ward_display_name", "ward_technician_name"):
                    problem = text_error(gv.get(var))
                    if problem:
                        self.err(ward, var, problem, at(var))
                phone = gv.get("ward_technician_phone")
                problem = phone_error(phone)
                if problem:
                    self.err(ward, "ward_technician_phone", problem, at("ward_technician_phone"))
                elif is_placeholder_phone(str(phone)):
                    self.warn(
                        ward,
                        "ward_technician_phone",
                        f"placeholder phone number {phone}",
                        at("ward_technician_phone"),
                    )
                kind = gv.get("ward_kind")
                if kind not in WARD_KINDS:
                    self.err(
                        ward,
                        "ward_kind",
                        f"must be one of {', '.join(WARD_KINDS)}, got {shown(kind)}",
                        at("ward_kind"),
                    )
            display = gv.get("ward_display_name")
            if isinstance(display, str) and display.strip():
                key = display.strip().casefold()
                if key in names:
                    msg = f"{display!r} is also the name of ward {names[key]}: the same ward twice?"
                    self.err(ward, "ward_display_name", msg, at("ward_display_name"))
                else:
                    names[key] = ward

            hosts = self.members.get(ward, set())
            routers = [h for h in raw.members(ward) if self.in_group(h, "routers")]
            if not routers:
                self.err(
                    ward,
                    "router",
                    "ward has no router (a host in both this ward and routers)",
                    self.group_where(ward),
                )
            elif len(routers) > 1:
                self.err(
                    ward,
                    "router",
                    f"ward has {len(routers)} routers ({', '.join(routers)}); one per ward",
                    self.group_where(ward),
                )
            if not any(self.in_group(h, "meeting_rooms") for h in hosts):
                self.err(
                    ward,
                    "meeting_room",
                    "ward has no meeting-room endpoint (a host in both this ward and meeting_rooms)",
                    self.group_where(ward),
                )

    # the merger file

    def check_mergers(self) -> None:
        raw = self.raw
        if not (self.root / MERGER_FILE).is_file():
            return  # reported by the reader (`all: {children: {}}` is the file for a city without mergers)
        owner: dict[str, str] = {}
        for group in raw.merger_groups:
            where = self.group_where(group)
            if not group.startswith(MERGER_PREFIX) or not is_group_name(group):
                self.err(group, "group", f"merger groups are named {MERGER_PREFIX}<id>", where)
            gv = raw.group_vars_of(group)
            problem = text_error(gv.get(MERGER_NAME_VAR))
            if problem:
                self.err(
                    group,
                    MERGER_NAME_VAR,
                    problem,
                    gv.where.get(MERGER_NAME_VAR, where),
                )
            if raw.groups[group].hosts:
                self.err(group, "hosts", "a merger group lists wards as children, not hosts", where)
            if not raw.children(group):
                self.err(group, "children", "merger group names no wards", where)
            for ward in raw.children(group):
                here = (where[0], raw.groups[group].child_lines.get(ward, where[1]))
                if ward not in self.ward_groups:
                    msg = f"unknown ward {ward!r} (not a ward group under wards)"
                    self.err(group, "children", msg, here)
                elif ward in owner:
                    msg = f"ward is in two mergers: {owner[ward]} and {group}"
                    self.err(ward, MERGER_PREFIX.rstrip("_"), msg, here)
                else:
                    owner[ward] = group
