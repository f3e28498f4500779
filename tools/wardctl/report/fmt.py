"""Short texts shared by every format (Markdown, HTML, CSV, the status table), so they all say the same."""

from __future__ import annotations

from wardctl.report.endpoints import AREA_STATES, ClientView, EndpointView, HardeningView
from wardctl.report.i18n import STRINGS, Lang
from wardctl.report.record import HostResult
from wardctl.report.ward import DiffSummary, MetricCheck, RouterView, WardReport, with_unit


def counts(host: HostResult | None, lang: Lang) -> str:
    if host is None:
        return lang.t("not_in_run")
    if host.unreachable:
        return lang.t("host.unreachable")
    text = lang.t("host.counts", ok=host.ok, changed=host.changed, failed=host.failed)
    return text


def host_state(host: HostResult | None) -> str:
    """ok | changed | failed | unreachable | absent: the colour of a host's row."""
    if host is None:
        return "absent"
    if host.unreachable:
        return "unreachable"
    if host.failed:
        return "failed"
    return "changed" if host.changed else "ok"


def router_model(router: RouterView | None, lang: Lang) -> str:
    if router is None:
        return "—"
    if not router.measured:
        return f"{router.device_type} ({lang.t('not_measured')})" if router.device_type else lang.t("not_measured")
    parts = [p for p in (router.model, router.os_version) if p]
    return " / ".join(parts) or router.device_type or "?"


def router_changed(router: RouterView | None, lang: Lang) -> str:
    """`+3 -1` for the status table: how many configuration lines changed."""
    if router is None or not router.measured:
        return "—"
    if router.diff is not None:
        return f"+{router.diff.added} -{router.diff.removed}"
    if router.lines_pushed is not None:
        return f"+{router.lines_pushed}"
    return lang.t("yes") if router.changed else "0"


def diff_counts(diff: DiffSummary | None, lang: Lang) -> str:
    if diff is None or diff.changed_lines == 0:
        return lang.t("router.no_diff")
    return lang.t("router.diff_counts", added=diff.added, removed=diff.removed)


def yes_no(value: bool | None, lang: Lang) -> str:
    return "—" if value is None else lang.t("yes" if value else "no")


def role(ep: EndpointView, lang: Lang) -> str:
    return lang.get(f"role.{ep.role}", ep.role)


def client_state(view: ClientView, lang: Lang) -> str:
    return lang.get(f"client.{view.state}", view.state or "?")


def client(view: ClientView | None, lang: Lang, wanted: bool = True) -> str:
    """`zavi-meeting 3.2.1 (installed)`; without a fact, not measured, or none meant for it (the services host)."""
    if view is None:
        return lang.t("not_measured" if wanted else "client.not_here")
    name = " ".join(p for p in (view.package, view.version) if p) or "?"
    return f"{name} ({client_state(view, lang)})" if view.state else name


def client_details(view: ClientView | None, lang: Lang) -> str:
    """Where the client came from, whether its checksum was verified, whether it starts on its own."""
    if view is None:
        return ""
    parts = []
    if view.pinned_version and view.pinned_version != view.version:
        parts.append(lang.t("client.pinned", version=view.pinned_version))
    if view.source:
        parts.append(f"{lang.t('client.source')} {view.source}")
    if view.checksum_verified is not None:
        parts.append(lang.t("client.verified" if view.checksum_verified else "client.unverified"))
    if view.autostart is not None:
        parts.append(lang.t("client.autostart" if view.autostart else "client.no_autostart"))
    return " · ".join(parts)


def client_full(ep: EndpointView, lang: Lang) -> str:
    """The endpoint's client and where it came from, in one cell."""
    details = client_details(ep.client, lang)
    text = client(ep.client, lang, ep.wants_client)
    return f"{text} — {details}" if details else text


def hardening(view: HardeningView | None, lang: Lang) -> str:
    """`14/16 areas applied, 1 failed, Lynis index 78`: applied counts the areas already compliant too."""
    if view is None:
        return lang.t("not_measured")
    parts = [lang.t("ep.areas", applied=len(view.applied), total=view.enabled)] if view.areas else []
    for state in ("failed", "would_apply", "not_run", "not_applied"):
        if n := len(view.having(state)):
            parts.append(f"{n} {area_state(state, lang).lower()}")
    if view.check_mode:
        parts.append(lang.t("ep.dry_run"))
    if view.lynis_index is not None:
        parts.append(lang.t("ep.lynis", index=lang.num(view.lynis_index, 0)))
    return ", ".join(parts) or lang.t("not_measured")


def area_name(area: str, lang: Lang) -> str:
    return lang.get(f"area_name.{area}", area)


def area_state(state: str, lang: Lang) -> str:
    return lang.get(f"area.{state}", state)


def area_groups(view: HardeningView | None, lang: Lang) -> list[tuple[str, str, list[str]]]:
    """(state, `Applied (3)`, [area names, a failed one with its reason]) for each state some area is in."""
    if view is None:
        return []
    groups = []
    for state in AREA_STATES:
        names = []
        for area in view.having(state):
            reason = view.reasons.get(area)
            names.append(f"{area_name(area, lang)}: {reason}" if reason else area_name(area, lang))
        if names:
            groups.append((state, f"{area_state(state, lang)} ({len(names)})", names))
    return groups


def to_buy(buy: dict[str, str], lang: Lang) -> list[str]:
    """What to buy for each missing item, in the reader's language: the role's wording unless it is the kit's
    default English one (then the translation keyed by the item), which a city may have replaced by its own."""
    out = []
    for item, wording in buy.items():
        key = f"procurement.{item}"
        known = STRINGS.get(key, {})
        if not wording or wording == item or wording == known.get("en"):
            out.append(lang.get(key, lang.get(f"device.{item}", item)))
        else:
            out.append(wording)
    return out


def metric_value(m: MetricCheck, lang: Lang) -> str:
    if m.value is None:
        return lang.t("not_measured")
    if m.detail is not None and all(v is not None for v in m.detail):
        low, avg, high = m.detail
        return f"{lang.num(low)} / {lang.num(avg)} / {with_unit(lang.num(high), m.key)} ({lang.t('line.min_avg_max')})"
    return with_unit(lang.num(m.value), m.key)


def metric_limit(m: MetricCheck, lang: Lang) -> str:
    """`≤ 300 ms` (the good band), then where unfit begins when the role gives it: `; unfit > 800 ms`."""
    if m.limit is None:
        return "—"
    text = f"{'≥' if m.bound == 'min' else '≤'} {with_unit(lang.num(m.limit), m.key)}"
    if m.unfit_limit is not None:
        beyond = "<" if m.bound == "min" else ">"
        text += "; " + lang.t("line.unfit_bound", bound=f"{beyond} {with_unit(lang.num(m.unfit_limit), m.key)}")
    return text


def metric_result(m: MetricCheck, lang: Lang) -> str:
    return "—" if m.level is None else lang.verdict(m.level)


def endpoints_ok(eps: list[EndpointView]) -> str:
    return f"{sum(1 for e in eps if e.ok)}/{len(eps)}" if eps else "—"


def _of(pair: tuple[int, int] | None, key: str, lang: Lang, short: bool) -> str:
    if pair is None:
        return "—" if short else lang.t("not_measured")
    return f"{pair[0]}/{pair[1]}" if short else lang.t(key, n=pair[0], m=pair[1])


def ward_clients(report: WardReport | None, lang: Lang, short: bool = False) -> str:
    """`installed on 13 of 14 machines` (`13/14` for the terminal table)."""
    return _of(report.clients if report else None, "city.clients_of", lang, short)


def ward_hardening(report: WardReport | None, lang: Lang, short: bool = False) -> str:
    """`220 of 224 areas applied` (applied or already compliant, of those switched on)."""
    return _of(report.hardening if report else None, "city.hardening_of", lang, short)
