"""The endpoints of one ward as the report shows them: the meeting client each machine got and each hardening
area's outcome, read from the facts the roles publish (docs/report-facts.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wardctl.inventory.model import Ward
from wardctl.report.record import HostResult, WardRecord
from wardctl.report.values import as_bool, as_dict, as_number, as_text

_APPLIED = {"applied", "enabled", "ok", "done", "changed", "unchanged", "yes", "true", "on", "present"}
_OFF = {"disabled", "off", "skipped", "no", "false", "none", "absent"}

# The meeting client's states (roles/conference_client: installed | would_install | removed); older records may
# say present, latest… and count as installed.
_CLIENT_INSTALLED = {"installed", "present", "latest", "ok", "running", "started", "unchanged", "changed"}
_CLIENT_REMOVED = {"removed", "absent", "uninstalled"}
# Roles that get no meeting client (endpoints.yml: nobody meets on city hall's server).
NO_CLIENT_ROLES = ("city_services",)


def client_state(value: Any) -> str | None:
    """installed | would_install | removed | the recorded word (lower case) | None when absent."""
    text = as_text(value)
    if text is None:
        return None
    word = text.lower()
    if word in _CLIENT_INSTALLED:
        return "installed"
    if word in _CLIENT_REMOVED:
        return "removed"
    return word


@dataclass
class ClientView:
    """The `conference_client_report` fact (docs/report-facts.md)."""

    package: str | None
    version: str | None
    state: str | None  # installed | would_install | removed | another recorded word
    pinned_version: str | None = None
    source: str | None = None
    checksum: str | None = None
    checksum_verified: bool | None = None
    autostart: bool | None = None
    check_mode: bool | None = None

    @property
    def ready(self) -> bool:
        return self.state == "installed"


def client_view(data: dict[str, Any]) -> ClientView:
    return ClientView(
        as_text(data.get("package")), as_text(data.get("version")), client_state(data.get("state")),
        as_text(data.get("pinned_version")), as_text(data.get("source")), as_text(data.get("checksum")),
        as_bool(data.get("checksum_verified")), as_bool(data.get("autostart")), as_bool(data.get("check_mode")),
    )  # fmt: skip


# Each control area's outcome (roles/endpoint_hardening `endpoint_hardening_outcomes`), in the order reports
# list them; `not_applied` is an older record's word for anything neither applied nor off.
AREA_STATES = ("failed", "not_applied", "would_apply", "not_run", "applied", "compliant", "off")
AREA_DONE = ("applied", "compliant")


def area_state(value: Any) -> str:
    """The role's `{"state": ..., "reason": ...}`, or an older record's `true`, `"applied"`,
    `{"enabled": true, "applied": false}`…, reduced to one of AREA_STATES."""
    if isinstance(value, dict):
        if "state" in value:
            state = (as_text(value.get("state")) or "").lower()
            return state if state in AREA_STATES else "not_applied"
        if "applied" in value:
            return "applied" if value["applied"] else ("off" if value.get("enabled") is False else "not_applied")
        return "applied" if value.get("enabled") else "off"
    if isinstance(value, bool):
        return "applied" if value else "off"
    text = str(value).strip().lower()
    if text in AREA_STATES:
        return text
    if text in _APPLIED:
        return "applied"
    if text in _OFF:
        return "off"
    return "not_applied"  # error, pending, anything unexpected: worth a look


@dataclass
class HardeningView:
    """The `endpoint_hardening_report` fact (docs/report-facts.md)."""

    areas: dict[str, str]  # name -> one of AREA_STATES
    lynis_index: float | None = None
    reasons: dict[str, str] = field(default_factory=dict)  # failed area -> the role's one-line reason
    check_mode: bool | None = None

    def having(self, *states: str) -> list[str]:
        return [name for name, state in self.areas.items() if state in states]

    @property
    def applied(self) -> list[str]:
        """Applied now or already so: what the city counts as hardened."""
        return self.having(*AREA_DONE)

    @property
    def failed(self) -> list[str]:
        return self.having("failed")

    @property
    def not_applied(self) -> list[str]:
        """An older record's areas neither applied nor off."""
        return self.having("not_applied")

    @property
    def enabled(self) -> int:
        return sum(1 for state in self.areas.values() if state != "off")

    @property
    def counts(self) -> dict[str, int]:
        """{state: areas}, every state of AREA_STATES but `not_applied` present (zero included)."""
        out = {s: 0 for s in AREA_STATES if s != "not_applied"}
        for state in self.areas.values():
            out[state] = out.get(state, 0) + 1
        return out


def hardening_view(data: dict[str, Any]) -> HardeningView:
    raw = as_dict(data.get("areas"))
    areas = {str(k): area_state(v) for k, v in raw.items()}
    reasons = {str(k): text for k, v in raw.items()
               if areas[str(k)] == "failed" and (text := as_text(as_dict(v).get("reason")))}  # fmt: skip
    return HardeningView(areas, as_number(data.get("lynis_index")), reasons, as_bool(data.get("check_mode")))


@dataclass
class EndpointView:
    host: str
    role: str = "endpoint"
    platform: str = ""
    address: str = ""
    counts: HostResult | None = None
    client: ClientView | None = None
    hardening: HardeningView | None = None

    @property
    def ok(self) -> bool:
        return self.counts is not None and self.counts.healthy

    @property
    def wants_client(self) -> bool:
        """Whether the meeting client belongs on this machine (it reported one, or its role gets one)."""
        return self.client is not None or self.role not in NO_CLIENT_ROLES


def endpoint_views(rec: WardRecord, inv: Ward | None, router: str | None) -> list[EndpointView]:
    views: dict[str, EndpointView] = {}
    if inv is not None:
        for ep in inv.endpoints:
            views[ep.name] = EndpointView(ep.name, ep.role, ep.platform, ep.address)
    for host in [h.name for h in rec.hosts] + list(rec.reports):
        if host != router and host not in views and host:
            views[host] = EndpointView(host)
    for view in views.values():
        view.counts = rec.host(view.host)
        kinds = rec.reports.get(view.host, {})
        if isinstance(client := kinds.get("conference_client"), dict):
            view.client = client_view(client)
        if isinstance(hardening := kinds.get("endpoint_hardening"), dict):
            view.hardening = hardening_view(hardening)
    return list(views.values())
