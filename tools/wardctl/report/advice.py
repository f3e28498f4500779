"""What the technician does next, derived from the ward's record by plain rules (first the blockers)."""

from __future__ import annotations

from wardctl.report import fmt
from wardctl.report.i18n import Lang
from wardctl.report.ward import Advice, LineView, MetricCheck, WardReport, procurement_by_item, with_unit

DEVICE_ORDER = ("camera", "microphone", "speaker", "display")
KEY_METRICS = ("down_mbps", "up_mbps", "loss_percent", "rtt_ms", "jitter_ms")


def advise(report: WardReport) -> list[Advice]:
    rec = report.record
    run_id = rec.run_id
    steps: list[Advice] = []
    if rec.status == "running":
        return [Advice("running", {"run_id": run_id})]
    for failure in report.run_failures:
        steps.append(Advice("run_failure", {"task": failure.task, "message": failure.message}))
    unreachable = [h for h in rec.hosts if h.unreachable]
    addresses = {ep.host: ep.address for ep in report.endpoints}
    if report.inventory and report.inventory.router:
        addresses[report.inventory.router.name] = report.inventory.router.address
    for host in unreachable:
        steps.append(Advice("unreachable", {"host": host.name, "address": addresses.get(host.name, "")}))
    if rec.status == "unreachable" and not unreachable:  # recorded unreachable without a host counter
        first = next((f.host for f in rec.failures if f.host), "")
        steps.append(Advice("unreachable", {"host": first or rec.display_name, "address": addresses.get(first, "")}))
    unreachable_names = {h.name for h in unreachable}
    # A failed hardening area is one step naming it (the role then fails the host: that task says no more).
    area_failed = {ep.host: ep.hardening for ep in report.endpoints if ep.hardening and ep.hardening.failed}
    seen: set[tuple[str, str]] = set()
    for failure in rec.failures:
        if failure.host in unreachable_names or (failure.host, failure.task) in seen:
            continue  # one step per host and task: a loop that failed five times is one thing to fix
        seen.add((failure.host, failure.task))
        if failure.host in area_failed and failure.task.startswith("endpoint_hardening"):
            continue
        steps.append(Advice("failed_task", {"host": failure.host or rec.ward, "task": failure.task,
                                            "message": failure.message, "run_id": run_id}))  # fmt: skip
    for host, hardening in area_failed.items():
        for area in hardening.failed:
            reason = hardening.reasons.get(area, "")
            steps.append(Advice("hardening_failed", {"host": host, "area": area, "reason": reason, "run_id": run_id}))
    for line in report.lines:
        if line.verdict in ("unfit", "degraded"):
            failing = line.failing()
            # The ISP needs figures: the failing ones, else the headline ones (and the role's reasons).
            shown = failing or [m for m in line.metrics if m.key in KEY_METRICS]
            steps.append(
                Advice(f"line_{line.verdict}",
                       {"host": line.host, "metrics": shown, "reasons": line.reasons, "contract": line.contract})
            )  # fmt: skip
    for room in report.rooms:
        if room.missing:
            steps.append(
                Advice("room_missing", {"host": room.host, "items": room.missing, "procurement": room.procurement})
            )
    for ep in report.endpoints:
        if ep.client is not None and ep.client.state == "would_install":
            steps.append(Advice("client_would_install", {"host": ep.host, "version": ep.client.pinned_version or "?"}))
        elif ep.client is not None and not ep.client.ready:
            steps.append(Advice("client_missing", {"host": ep.host, "state": ep.client.state or "?"}))
        if ep.hardening is not None and ep.hardening.not_applied:
            steps.append(Advice("hardening", {"host": ep.host, "areas": ep.hardening.not_applied}))
    if rec.status == "pending":
        steps.append(Advice("pending", {"run_id": run_id}))
    elif rec.run.check_mode and rec.changed:
        steps.append(Advice("dry_run_changes", {"n": str(rec.changed)}))
    if rec.status == "done" and not report.lines and not rec.run.check_mode:
        steps.append(Advice("not_measured"))
    if not steps and rec.status == "done":
        steps.append(Advice("all_good"))
    return steps


def figures(metrics: list[MetricCheck], lang: Lang, contract: dict[str, float] | None = None) -> str:
    parts = []
    for m in metrics:
        if m.value is None:
            continue
        text = f"{lang.t(f'metric.{m.key}')} {with_unit(lang.num(m.value), m.key)}"
        extra = []
        if m.crossed is not None and m.ok is False:  # the bound only where it was missed
            extra.append(f"{lang.t('line.needs')} {'≥' if m.bound == 'min' else '≤'} {lang.num(m.crossed)}")
        if contract and m.key in contract:  # what the ISP sold: the argument on the phone
            extra.append(lang.t("line.contract", value=with_unit(lang.num(contract[m.key]), m.key)))
        parts.append(text + (f" ({', '.join(extra)})" if extra else ""))
    return "; ".join(parts)


def line_reasons(line: LineView, lang: Lang) -> str:
    """Why the line is not good: the role's reasons (English) in English, the failing figures in Vietnamese (the
    reasons only when no figure failed: a check that could not run at all)."""
    if lang.code == "en" or not line.reasons:
        return "; ".join(line.reasons)
    return figures(line.failing(), lang, line.contract) or "; ".join(line.reasons)


def device_names(items: list[str], lang: Lang) -> str:
    ordered = sorted(items, key=lambda d: DEVICE_ORDER.index(d) if d in DEVICE_ORDER else len(DEVICE_ORDER))
    return ", ".join(lang.get(f"device.{d}", d) for d in ordered)


def text(step: Advice, lang: Lang, contact: str = "") -> str:
    """The step in the reader's language."""
    p = step.params
    if step.code == "unreachable":
        address = f" ({p['address']})" if p.get("address") else ""
        who = f" ({contact})" if contact else ""
        return lang.t("next.unreachable", host=p["host"], address=address, contact=who)
    if step.code in ("line_unfit", "line_degraded"):
        # The figures in the reader's language; the role's (English) reasons only when there are none.
        shown = figures(p["metrics"], lang, p.get("contract")) or "; ".join(p.get("reasons") or [])
        shown = shown or lang.t("not_measured")
        return lang.t(f"next.{step.code}", figures=shown)
    if step.code == "room_missing":
        items = "; ".join(fmt.to_buy(procurement_by_item(p["items"], p.get("procurement")), lang))
        return lang.t("next.room_missing", host=p["host"], items=items)
    if step.code == "hardening":
        return lang.t("next.hardening", host=p["host"], areas=", ".join(fmt.area_name(a, lang) for a in p["areas"]))
    if step.code == "hardening_failed":
        reason = p.get("reason") or lang.t("none")
        return lang.t("next.hardening_failed", host=p["host"], area=fmt.area_name(p["area"], lang), reason=reason,
                      run_id=p["run_id"])  # fmt: skip
    if step.code == "client_missing":
        state = lang.get(f"client.{p['state']}", p["state"])
        return lang.t("next.client_missing", host=p["host"], state=state)
    return lang.t(f"next.{step.code}", **{k: str(v) for k, v in p.items()})


def as_json(step: Advice, lang: Lang, contact: str = "") -> dict[str, object]:
    """For the JSON format: a stable code, the plain parameters, and the text in the chosen language."""
    params: dict[str, object] = {}
    for key, value in step.params.items():
        if key == "metrics":
            params[key] = [{"metric": m.key, "value": m.value, "limit": m.crossed, "bound": m.bound, "level": m.level}
                           for m in value]  # fmt: skip
        else:
            params[key] = value
    return {"code": step.code, "params": params, "text": text(step, lang, contact)}
