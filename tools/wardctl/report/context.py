"""The inventory side of a report: display names, routers, endpoints, contacts, the deadline, the time zone.

Reports prefer the inventory the run used (recorded in the run); if it is gone (a lab taken down) they fall
back to what the record itself holds, so a report never fails for want of an inventory it did not ask for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.inventory.model import City, Ward
from wardctl.inventory.reader import build_city, load_raw
from wardctl.paths import repo_root
from wardctl.report.i18n import city_tz

# The city's own schedule, from its inventory (group_vars/all): the kit assumes no deadline of its own.
DEADLINE_VAR = "city_rollout_deadline"
TIMEZONE_VAR = "city_timezone"


@dataclass
class CityContext:
    city: City | None = None
    inventory: Path | None = None
    deadline: date | None = None  # None: the inventory sets none (`--deadline` may)
    tz: tzinfo = field(default_factory=city_tz)
    note: str | None = None  # why the inventory could not be used, shown in reports
    _index: dict[str, Ward] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        if self.city is None:
            return "wardctl"
        return self.city.display_name or self.city.id or "wardctl"

    @property
    def city_id(self) -> str:
        return (self.city.id if self.city else "") or "wardctl"

    @property
    def ward_ids(self) -> list[str]:
        return [w.id for w in self.city.wards] if self.city else []

    def ward(self, ward_id: str) -> Ward | None:
        if self.city is None:
            return None
        if self._index is None:  # City.ward() scans the list: a city page asks once per ward
            self._index = {w.id: w for w in self.city.wards}
        return self._index.get(ward_id)

    def contact(self) -> str:
        """City hall's technician, whom a ward calls (its group vars name them)."""
        hall = next((w for w in self.city.wards if w.kind == "city_hall"), None) if self.city else None
        if hall is None or not (hall.technician_name or hall.technician_phone):
            return ""
        return ", ".join(part for part in (hall.technician_name, hall.technician_phone) if part)


def parse_deadline(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def default_inventory() -> Path | None:
    """The rollout's own default: the lab's inventory, when one exists."""
    from wardctl.lab.config import LabConfig

    try:
        path = LabConfig.from_env().inventory_dir
    except WardctlError:
        return None
    return path if path.is_dir() else None


def load_context(
    explicit: Path | None = None, recorded: str | None = None, deadline: date | None = None
) -> CityContext:
    """Read the inventory named on the command line (errors are fatal), else the recorded one (errors are notes)."""
    path: Path | None = explicit
    if path is None and recorded:
        path = Path(recorded)
        if not path.is_absolute():
            path = repo_root() / path
    if path is None:
        path = default_inventory()
    ctx = CityContext(inventory=path)
    ctx.deadline = deadline
    if path is None:
        return ctx
    if not path.is_dir():
        if explicit is not None:
            raise WardctlError(f"inventory {explicit} is not a directory")
        ctx.note = f"inventory {path} not found; names come from the run record"
        return ctx
    city, problem, deadline_var, zone = _read(path)
    if problem is not None:
        message = f"cannot read inventory {path}: {problem}"
        if explicit is not None:
            raise WardctlError(message)
        ctx.note = message
    ctx.city = city
    ctx.deadline = deadline or parse_deadline(deadline_var)
    ctx.tz = city_tz(zone if isinstance(zone, str) else None)
    return ctx


_Read = tuple[City | None, str | None, object, object]
_CACHE: dict[tuple[Path, tuple[tuple[str, int, int], ...]], _Read] = {}


def _read(path: Path) -> _Read:
    """(city, fatal problem, deadline var, time zone var); cached while no file changes (reading YAML with line
    numbers is the slowest part of a report, and a process may ask for several)."""
    files = sorted(p for p in path.rglob("*") if p.is_file())
    stamp = tuple((str(p), (st := p.stat()).st_mtime_ns, st.st_size) for p in files)
    key = (path.resolve(), stamp)
    if key not in _CACHE:
        raw = load_raw(path)
        fatal = [p for p in raw.problems if p.is_error and p.field in ("inventory", "file", "yaml")]
        city_vars = raw.group_vars_of("all")
        problem = str(fatal[0]).removeprefix("ERROR ") if fatal else None
        _CACHE.clear()  # one inventory at a time is all a process needs
        _CACHE[key] = (None if fatal else build_city(raw), problem, city_vars.get(DEADLINE_VAR),
                       city_vars.get(TIMEZONE_VAR))  # fmt: skip
    return _CACHE[key]
