"""The checker: walks the raw inventory (reader.load_raw) and collects every finding as a Problem.

One mixin per part of the layout (city, wards, hosts, data); the value rules they apply are in
wardctl.inventory.rules, and the command line is wardctl.inventory.check.
"""

from __future__ import annotations

from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.inventory.checks.city import CityChecks
from wardctl.inventory.checks.data import DataChecks
from wardctl.inventory.checks.hosts import HostChecks
from wardctl.inventory.checks.wards import WardChecks
from wardctl.inventory.model import City
from wardctl.inventory.reader import Problem, RawInventory, build_city, display_path, load_raw


class Checker(DataChecks, CityChecks, WardChecks, HostChecks):
    def run(self) -> list[Problem]:
        self.check_data()  # first: it silences later findings on the fields it reports
        self.check_city()
        self.check_vault()
        self.check_secrets()
        if self.raw.hosts_readable:  # otherwise every group and host would be reported missing
            self.check_layout()
            self.check_wards()
            self.check_hosts()
            self.check_mergers()
            self.check_stray_vars()
        return self.out


def check_inventory(path: Path | str) -> list[Problem]:
    """Every problem of the inventory at `path`, errors first. Never raises for bad content."""
    return check_raw(load_raw(Path(path)))


def check_raw(raw: RawInventory) -> list[Problem]:
    problems = list(raw.problems)
    if raw.readable:
        problems += Checker(raw).run()
    return sorted(problems, key=lambda p: not p.is_error)  # stable: file order within each severity


def read_checked(path: Path | str) -> City:
    """The City of a valid inventory; raises WardctlError naming the first errors otherwise."""
    raw = load_raw(Path(path))
    problems = [p for p in check_raw(raw) if p.is_error]
    if problems:
        shown_lines = "\n  ".join(str(p) for p in problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise WardctlError(f"inventory {display_path(Path(path))} is not valid:\n  {shown_lines}{more}")
    return build_city(raw)
