"""The ward report as Markdown: what a technician reads in a terminal, a chat message or a merge request."""

from __future__ import annotations

from wardctl.report import advice, fmt
from wardctl.report.i18n import Lang
from wardctl.report.ward import WardReport


def cell(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return out


def fence(lines: list[str], info: str = "") -> list[str]:
    longest = max((len(run) for line in lines for run in line.split("`") if not run), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}{info}", *lines, ticks]


def _device_order(devices: dict[str, str]) -> list[str]:
    return [d for d in advice.DEVICE_ORDER if d in devices] + [d for d in devices if d not in advice.DEVICE_ORDER]


def ward_md(report: WardReport, lang: Lang, city_name: str, generated: str) -> str:
    t, rec = lang.t, report.record
    out = [f"# {t('ward.title', name=rec.display_name)}", ""]
    meta = [city_name, f"`{rec.ward}`", f"**{t('ward.status')}: {lang.status(rec.status)}**",
            f"{t('ward.run')}: `{rec.run_id}`", f"{t('ward.finished')}: {lang.time(rec.finished_at)}"]  # fmt: skip
    out.append(" · ".join(meta))
    if report.technician:
        out += ["", f"{t('ward.technician')}: {report.technician}"]
    if rec.run.check_mode:
        out += ["", f"> {t('ward.dry_run')}"]
    if rec.message:
        out += ["", f"{t('ward.message')}: {rec.message}"]

    out += ["", f"## {t('sec.next')}", ""]
    out += [f"{i}. {advice.text(step, lang, report.contact)}" for i, step in enumerate(advice.advise(report), 1)]

    out += ["", f"## {t('sec.router')}", ""]
    router = report.router
    if router is None:
        out.append(t("router.none"))
    else:
        out.append(f"- {t('role.router')}: `{router.host}` — {fmt.counts(router.counts, lang)}")
        out.append(f"- {t('router.model')}: {fmt.router_model(router, lang)}")
        if router.measured:
            out.append(f"- {t('router.changed')}: {fmt.yes_no(router.changed, lang)}")
            if router.lines_pushed is not None:
                out.append(f"- {t('router.lines_pushed')}: {router.lines_pushed}")
            out.append(f"- {t('router.diff')}: {fmt.diff_counts(router.diff, lang)}")
            out.append(f"- {t('router.backup')}: {f'`{router.backup_path}`' if router.backup_path else '—'}")
        if router.diff and router.diff.first:
            lines = list(router.diff.first)
            if router.diff.changed_lines > len(lines):
                lines.append(t("router.diff_more", n=router.diff.changed_lines - len(lines)))
            out += ["", f"{t('router.diff_first')}:", "", *fence(lines, "diff")]

    out += ["", f"## {t('sec.endpoints')}", ""]
    if report.endpoints:
        out += table(
            [t("ep.host"), t("ep.role"), t("ep.result"), t("ep.client"), t("ep.hardening")],
            [[f"`{ep.host}`", fmt.role(ep, lang), fmt.counts(ep.counts, lang), fmt.client_full(ep, lang),
              fmt.hardening(ep.hardening, lang)] for ep in report.endpoints],
        )  # fmt: skip
        for ep in report.endpoints:
            if groups := fmt.area_groups(ep.hardening, lang):
                out += ["", f"`{ep.host}` — {t('ep.hardening')}:", ""]
                out += [f"- {label}: {', '.join(names)}" for _, label, names in groups]
    else:
        out.append(t("ep.none"))

    out += ["", f"## {t('sec.line')}", ""]
    if not report.lines:
        out.append(t("not_measured"))
    for line in report.lines:
        out += [f"**{t('line.verdict')}: {lang.verdict(line.verdict)}** ({t('line.from', host=line.host)})", ""]
        out += table(
            [t("line.metric"), t("line.measured"), t("line.threshold"), t("line.result")],
            [[t(f"metric.{m.key}"), fmt.metric_value(m, lang), fmt.metric_limit(m, lang), fmt.metric_result(m, lang)]
             for m in line.metrics],
        )  # fmt: skip
        if line.reasons:
            out += ["", f"{t('line.reasons')}: {advice.line_reasons(line, lang)}"]
        if line.gate == "waived":
            out += ["", f"_{t('line.waived')}_"]
        out.append("")

    out += ["", f"## {t('sec.room')}", ""]
    if not report.rooms:
        out.append(t("not_measured"))
    for room in report.rooms:
        out += [f"`{room.host}`", ""]
        out += table(
            [t("room.device"), t("room.state")],
            [[lang.get(f"device.{d}", d), t(f"device.{room.devices[d]}")] for d in _device_order(room.devices)],
        )  # fmt: skip
        if room.missing:
            out += ["", f"**{t('room.to_buy')}:** {advice.device_names(room.missing, lang)}"]
        out.append("")

    out += ["", f"## {t('sec.failures')}", ""]
    failures = [[t("fail.run_level"), f.task, f.message, lang.get(f"phase.{f.phase}", f.phase)]
                for f in report.run_failures]  # fmt: skip
    failures += [[f"`{f.host}`", f.task, f.message, lang.get(f"phase.{f.phase}", f.phase)] for f in rec.failures]
    if failures:
        out += table([t("fail.host"), t("fail.task"), t("fail.message"), t("fail.phase")], failures)
    else:
        out.append(t("fail.none"))

    out += ["", f"## {t('sec.hosts')}", ""]
    out += table(
        [t("ep.host"), *(t(f"host.{k}") for k in ("ok", "changed", "failed", "unreachable", "skipped"))],
        [[f"`{h.name}`", str(h.ok), str(h.changed), str(h.failed), str(h.unreachable), str(h.skipped)]
         for h in rec.hosts],
    )  # fmt: skip
    out += ["", f"_{t('ward.generated')}: {generated} · wardctl report {rec.ward}_", ""]
    return "\n".join(out)
