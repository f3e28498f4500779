"""One ward as its technician needs it: router changes, endpoints, line quality, room, failures, next steps.

The role reports' shapes are still settling, so every reader here is lenient: a missing kind or key shows as
"not measured yet", an unexpected type is ignored, and nothing raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wardctl.inventory.model import Ward
from wardctl.report.context import CityContext
from wardctl.report.endpoints import EndpointView, endpoint_views
from wardctl.report.record import FailureEntry, HostResult, WardRecord
from wardctl.report.values import as_dict, as_number, as_text

DIFF_FIRST_LINES = 10
DEVICES = ("camera", "microphone", "speaker", "display")
# (metric, the bound that applies by default): down/up must reach a minimum, the rest stay under a maximum.
METRICS = (
    ("rtt_ms", "max"), ("jitter_ms", "max"), ("loss_percent", "max"), ("down_mbps", "min"), ("up_mbps", "min"),
    ("dns_ms", "max"), ("ntp_offset_ms", "max"),
)  # fmt: skip
UNITS = {"rtt_ms": "ms", "jitter_ms": "ms", "loss_percent": "%", "down_mbps": "Mbit/s", "up_mbps": "Mbit/s",
         "dns_ms": "ms", "ntp_offset_ms": "ms"}  # fmt: skip


def with_unit(number: str, key: str) -> str:
    unit = UNITS[key]
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


VERDICT_RANK = {"good": 0, "degraded": 1, "unfit": 2}


# --- router --------------------------------------------------------------------------------------------------
@dataclass
class DiffSummary:
    added: int = 0
    removed: int = 0
    first: list[str] = field(default_factory=list)
    changed_lines: int = 0  # added + removed (or every line, for a diff without +/- markers)


def summarize_diff(diff: Any, limit: int = DIFF_FIRST_LINES) -> DiffSummary | None:
    """Counts and first lines of a unified diff (text or list of lines); None when there is none."""
    if isinstance(diff, list):
        lines = [str(item) for item in diff]
    elif isinstance(diff, str):
        lines = diff.splitlines()
    elif isinstance(diff, dict):  # Ansible's {before, after, prepared}: the prepared text is the diff
        return summarize_diff(diff.get("prepared") or diff.get("diff"), limit)
    else:
        return None
    summary = DiffSummary()
    changed: list[str] = []
    plain: list[str] = []
    for line in lines:
        if line.startswith(("+++", "---", "@@")):
            continue
        if line.startswith("+"):
            summary.added += 1
            changed.append(line)
        elif line.startswith("-"):
            summary.removed += 1
            changed.append(line)
        elif line.strip():
            plain.append(line)
    if not changed and plain:  # a list of pushed lines rather than a diff: each one is an addition
        summary.added = len(plain)
        changed = [f"+{line}" for line in plain]
    summary.changed_lines = summary.added + summary.removed
    summary.first = changed[:limit]
    return summary


@dataclass
class RouterView:
    host: str
    device_type: str = ""
    counts: HostResult | None = None
    measured: bool = False
    model: str | None = None
    os_version: str | None = None
    changed: bool | None = None
    lines_pushed: int | None = None
    diff: DiffSummary | None = None
    backup_path: str | None = None

    @property
    def changed_lines(self) -> int | None:
        if self.diff is not None:
            return self.diff.changed_lines
        return self.lines_pushed


def router_view(rec: WardRecord, inv: Ward | None) -> RouterView | None:
    host = inv.router.name if inv and inv.router else None
    if host is None:  # no inventory: the host that reported as a router, else the one named like one
        host = next((h for h, kinds in rec.reports.items() if "router" in kinds), None)
        host = host or next((h.name for h in rec.hosts if h.name.endswith("-router")), None)
    if host is None:
        return None
    view = RouterView(host, device_type=inv.router.device_type if inv and inv.router else "", counts=rec.host(host))
    data = rec.reports.get(host, {}).get("router")
    if not isinstance(data, dict):
        return view
    view.measured = True
    view.model = as_text(data.get("model"))
    view.os_version = as_text(data.get("os_version"))
    view.changed = data["changed"] if isinstance(data.get("changed"), bool) else None
    pushed = data.get("lines_pushed")
    if isinstance(pushed, list):
        view.lines_pushed = len(pushed)
    elif (number := as_number(pushed)) is not None:
        view.lines_pushed = int(number)
    view.diff = summarize_diff(data.get("diff"))
    view.backup_path = as_text(data.get("backup_path"))
    return view


# --- line quality --------------------------------------------------------------------------------------------
@dataclass
class MetricCheck:
    key: str
    value: float | None  # the figure compared (rtt: the average)
    detail: tuple[float | None, float | None, float | None] | None = None  # rtt min/avg/max
    limit: float | None = None  # the good band's bound (roles/line_check: "max"/"min")
    bound: str = "max"  # max | min
    unfit_limit: float | None = None  # beyond it the figure is unfit ("unfit_max"/"unfit_min")
    level: str | None = None  # good | degraded | unfit, as the role judged it (its `checks`); None: not judged

    @property
    def ok(self) -> bool | None:
        """None when there is nothing to judge by."""
        return None if self.level is None else self.level == "good"

    @property
    def crossed(self) -> float | None:
        """The bound this figure crossed: what to quote to the ISP."""
        if self.level == "unfit" and self.unfit_limit is not None:
            return self.unfit_limit
        return self.limit


@dataclass
class LineView:
    host: str
    verdict: str | None  # the role's; None when the record has none (shown as "not measured")
    metrics: list[MetricCheck]
    reasons: list[str]
    gate: str | None = None  # pass | waived | fail (roles/line_check)
    contract: dict[str, float] = field(default_factory=dict)  # the contracted down/up Mbit/s, when known

    def failing(self) -> list[MetricCheck]:
        return [m for m in self.metrics if m.ok is False]


def _threshold(thresholds: dict[str, Any], key: str, default: str) -> tuple[float | None, str, float | None]:
    """(good bound, max|min, unfit bound) for a metric under whichever naming the line-check report uses:
    roles/line_check's {"rtt_ms": {"max": 300, "unfit_max": 800}}, or flat `rtt_ms_max` / `max_rtt_ms`."""
    base, _, unit = key.rpartition("_")
    for bound in (default, "min" if default == "max" else "max"):
        nested = as_dict(thresholds.get(key))
        if (value := as_number(nested.get(bound))) is not None:
            return value, bound, as_number(nested.get(f"unfit_{bound}"))
        for candidate in (f"{key}_{bound}", f"{bound}_{key}", f"{base}_{bound}_{unit}", f"{bound}_{base}_{unit}"):
            if (value := as_number(thresholds.get(candidate))) is not None:
                return value, bound, as_number(thresholds.get(f"{key}_unfit_{bound}"))
    return as_number(thresholds.get(key)), default, None


def _judged(value: Any) -> str | None:
    """good | degraded | unfit as the role wrote it; None for anything else."""
    text = as_text(value)
    level = text.lower() if text else None
    return level if level in VERDICT_RANK else None


def line_view(host: str, data: dict[str, Any]) -> LineView:
    thresholds = as_dict(data.get("thresholds"))
    checks = as_dict(data.get("checks"))
    metrics: list[MetricCheck] = []
    for key, default in METRICS:
        raw = data.get(key)
        detail = None
        if isinstance(raw, dict):  # rtt_ms: {min, avg, max}
            detail = (as_number(raw.get("min")), as_number(raw.get("avg")), as_number(raw.get("max")))
            value = detail[1] if detail[1] is not None else detail[2]
        else:
            value = as_number(raw)
        if value is None and key not in thresholds and key not in checks:
            continue
        limit, bound, unfit = _threshold(thresholds, key, default)
        metrics.append(MetricCheck(key, value, detail, limit, bound, unfit, _judged(checks.get(key))))
    # The role's filter is the one judge (roles/line_check/filter_plugins): a record without its verdict says
    # "not measured" rather than judging the figures again here, by bounds that may not be the ones it used.
    verdict = _judged(data.get("verdict"))
    reasons = [str(r) for r in data.get("reasons") or [] if r] if isinstance(data.get("reasons"), list) else []
    contract = {k: n for k, v in as_dict(data.get("contract")).items() if (n := as_number(v)) is not None}
    return LineView(host, verdict, metrics, reasons, as_text(data.get("gate")), contract)


def worst_verdict(verdicts: list[Any]) -> str | None:
    known = [v for v in verdicts if v in VERDICT_RANK]
    return max(known, key=VERDICT_RANK.__getitem__) if known else None


# --- room readiness ------------------------------------------------------------------------------------------
@dataclass
class RoomView:
    host: str
    devices: dict[str, str]  # device -> present | missing (only those reported)
    missing: list[str]
    procurement: list[str] = field(default_factory=list)  # what to buy, in the role's wording

    @property
    def buy(self) -> dict[str, str]:
        """{missing item: the role's wording for it ("" when it gave none)}."""
        return procurement_by_item(self.missing, self.procurement)


def procurement_by_item(missing: list[str], procurement: Any) -> dict[str, str]:
    """The role publishes `procurement` in the order of `missing` (roles/room_readiness), or keyed by item."""
    if isinstance(procurement, dict):
        return {item: as_text(procurement.get(item)) or "" for item in missing}
    listed = [str(p) for p in procurement] if isinstance(procurement, list) else []
    if len(listed) != len(missing):  # not one per item: which is which is unknown
        listed = []
    return {item: listed[i] if listed else "" for i, item in enumerate(missing)}


def room_view(host: str, data: dict[str, Any]) -> RoomView:
    devices: dict[str, str] = {}
    for name in DEVICES:
        state = as_text(data.get(name))
        if state is not None:
            devices[name] = "present" if state.lower() in ("present", "ok", "true", "yes") else "missing"
    listed = data.get("missing")
    missing = [str(m) for m in listed] if isinstance(listed, list) else []
    for name, state in devices.items():
        if state == "missing" and name not in missing:
            missing.append(name)
    for name in missing:
        devices.setdefault(name, "missing")
    buy = data.get("procurement")
    if isinstance(buy, dict):
        procurement = [as_text(buy.get(item)) or "" for item in missing]
    else:
        procurement = [str(item) for item in buy if item] if isinstance(buy, list) else []
    return RoomView(host, devices, missing, procurement)


# --- the whole ward ------------------------------------------------------------------------------------------
@dataclass
class Advice:
    """One step for the technician: a message id (i18n `next.<code>`) and its parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class WardReport:
    record: WardRecord
    inventory: Ward | None
    router: RouterView | None
    endpoints: list[EndpointView]
    lines: list[LineView]
    rooms: list[RoomView]
    run_failures: list[FailureEntry]
    contact: str = ""

    @property
    def line_verdict(self) -> str | None:
        return worst_verdict([line.verdict for line in self.lines])

    @property
    def missing_devices(self) -> list[str]:
        return list(dict.fromkeys(d for room in self.rooms for d in room.missing))

    @property
    def clients(self) -> tuple[int, int] | None:
        """(machines with the client installed, machines that should have it); None: no client measured."""
        if not any(ep.client for ep in self.endpoints):
            return None
        machines = [ep for ep in self.endpoints if ep.wants_client]
        return sum(1 for ep in machines if ep.client and ep.client.ready), len(machines)

    @property
    def hardening(self) -> tuple[int, int] | None:
        """(areas applied or already compliant, areas enabled) over every endpoint; None: none measured."""
        views = [ep.hardening for ep in self.endpoints if ep.hardening is not None]
        if not views:
            return None
        return sum(len(v.applied) for v in views), sum(v.enabled for v in views)

    @property
    def technician(self) -> str:
        inv = self.inventory
        return ", ".join(p for p in (inv.technician_name, inv.technician_phone) if p) if inv else ""


def build_ward(rec: WardRecord, ctx: CityContext, run_failures: list[FailureEntry] | None = None) -> WardReport:
    inv = ctx.ward(rec.ward)
    router = router_view(rec, inv)
    endpoints = endpoint_views(rec, inv, router.host if router else None)
    lines = [line_view(h, d["line_check"]) for h, d in rec.reports.items() if isinstance(d.get("line_check"), dict)]
    rooms = [room_view(h, d["room_readiness"]) for h, d in rec.reports.items()
             if isinstance(d.get("room_readiness"), dict)]  # fmt: skip
    return WardReport(rec, inv, router, endpoints, lines, rooms, run_failures or [], ctx.contact())
