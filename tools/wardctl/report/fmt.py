"""Short texts shared by every format (Markdown, HTML, CSV, the status table), so they all say the same."""

from __future__ import annotations

from wardctl.report.i18n import Lang
from wardctl.report.record import HostResult
from wardctl.report.ward import (
    ClientView,
    DiffSummary,
    EndpointView,
    HardeningView,
    MetricCheck,
    RouterView,
    with_unit,
)


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


def client(view: ClientView | None, lang: Lang) -> str:
    if view is None:
        return lang.t("not_measured")
    name = " ".join(p for p in (view.package, view.version) if p) or "?"
    return f"{name} ({view.state})" if view.state else name


def hardening(view: HardeningView | None, lang: Lang) -> str:
    if view is None:
        return lang.t("not_measured")
    text = lang.t("ep.areas", applied=len(view.applied), total=view.enabled) if view.areas else ""
    if view.lynis_index is not None:
        lynis = lang.t("ep.lynis", index=lang.num(view.lynis_index, 0))
        text = f"{text}, {lynis}" if text else lynis
    return text or lang.t("not_measured")


def metric_value(m: MetricCheck, lang: Lang) -> str:
    if m.value is None:
        return lang.t("not_measured")
    if m.detail is not None and all(v is not None for v in m.detail):
        low, avg, high = m.detail
        return f"{lang.num(low)} / {lang.num(avg)} / {with_unit(lang.num(high), m.key)} (min/avg/max)"
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
