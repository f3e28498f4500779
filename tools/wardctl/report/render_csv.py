"""CSV for spreadsheets (the finance office, a technician's Excel): UTF-8 with a BOM so Excel reads the diacritics.

- ward: one row per check (section, host, check id, value, threshold, result, detail); section, check and value
  are stable English ids (values as recorded) to filter on, result and detail are in the report's language
  (section `hardening`: one row per control area, its state in `value`);
- city: one row per ward, headers and statuses in the report's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from wardctl.report import advice, fmt
from wardctl.report.city import CityReport, holding
from wardctl.report.i18n import Lang
from wardctl.report.ward import WardReport

BOM = "\ufeff"
WARD_COLUMNS = ("ward", "display_name", "run_id", "section", "host", "check", "value", "threshold", "result",
                "detail")  # fmt: skip
WARD_HEADERS = {
    "vi": ("Mã đơn vị", "Đơn vị", "Lần chạy", "Mục", "Máy", "Kiểm tra", "Giá trị", "Ngưỡng", "Kết quả", "Chi tiết"),
    "en": WARD_COLUMNS,
}
CITY_HEADERS = {
    "vi": ("Mã đơn vị", "Đơn vị", "Trạng thái", "Router", "Số dòng cấu hình đổi", "Máy trạm OK", "Tổng máy trạm",
           "Máy đã cài phần mềm họp", "Máy cần phần mềm họp", "Mục bảo mật đã áp dụng", "Mục bảo mật được bật",
           "Đường truyền", "Tải xuống (Mbit/s)", "Tải lên (Mbit/s)", "Mất gói (%)", "Thiết bị thiếu", "Số lỗi",
           "Vướng mắc", "Lần chạy", "Kết thúc", "Sẵn sàng từ"),
    "en": ("ward", "display_name", "status", "router", "router_lines_changed", "endpoints_ok", "endpoints_total",
           "client_installed", "client_machines", "hardening_applied", "hardening_enabled", "line_verdict",
           "down_mbps", "up_mbps", "loss_percent", "missing_devices", "failures", "holding", "run_id", "finished_at",
           "ready_since"),
}  # fmt: skip


def _write(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180, as Excel writes it
    writer.writerow(header)
    writer.writerows([_safe(value) for value in row] for row in rows)
    return BOM + buffer.getvalue()


def _safe(value: object) -> object:
    """A spreadsheet runs a cell starting with = + - @ as a formula: a recorded message must stay text."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _text(value: object) -> str:
    """A value for the machine-readable column: booleans as true/false, nothing as empty."""
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"  # machine-readable: a dot, whatever the language


def ward_rows(report: WardReport, lang: Lang) -> list[list[object]]:
    rec = report.record
    base = [rec.ward, rec.display_name, rec.run_id]
    rows: list[list[object]] = []

    def add(section: str, host: str, check: str, value: object, threshold: object, result: str, detail: str) -> None:
        rows.append([*base, section, host, check, value, threshold, result, detail])

    add("ward", "", "status", rec.contract_status, "", lang.status(rec.status), rec.message or "")
    if rec.run.check_mode:
        add("ward", "", "dry_run", rec.changed, "", "", lang.t("ward.dry_run"))
    router = report.router
    if router is not None:
        measured = "" if router.measured else lang.t("not_measured")
        add("router", router.host, "model", router.model or "", "", measured, fmt.router_model(router, lang))
        add("router", router.host, "os_version", router.os_version or "", "", measured, "")
        add("router", router.host, "changed", _text(router.changed), "", measured, fmt.yes_no(router.changed, lang))
        diff = router.diff
        add("router", router.host, "lines_added", diff.added if diff else "", "", measured, fmt.diff_counts(diff, lang))
        add("router", router.host, "lines_removed", diff.removed if diff else "", "", measured, "")
        add("router", router.host, "backup_path", router.backup_path or "", "", measured, "")
        for text in diff.first if diff else []:
            add("router", router.host, "diff_line", text, "", "", "")
    for ep in report.endpoints:
        add("endpoint", ep.host, "result", fmt.host_state(ep.counts), "", fmt.counts(ep.counts, lang),
            fmt.role(ep, lang))  # fmt: skip
        client = ep.client
        add("endpoint", ep.host, "client_version", client.version if client and client.version else "",
            client.pinned_version or "" if client else "",
            fmt.client_state(client, lang) if client else fmt.client(None, lang, ep.wants_client),
            fmt.client(client, lang, ep.wants_client))  # fmt: skip
        if client is not None:
            add("endpoint", ep.host, "client_state", client.state or "", "", fmt.client_state(client, lang),
                fmt.client_details(client, lang))  # fmt: skip
            for check, value in (("client_source", client.source), ("client_checksum", client.checksum),
                                 ("client_checksum_verified", client.checksum_verified),
                                 ("client_autostart", client.autostart)):  # fmt: skip
                add("endpoint", ep.host, check, _text(value), "", "", "")
        hard = ep.hardening
        add("endpoint", ep.host, "hardening_applied", f"{len(hard.applied)}/{hard.enabled}" if hard else "", "",
            "" if hard else lang.t("not_measured"), fmt.hardening(hard, lang))  # fmt: skip
        if hard is not None and hard.lynis_index is not None:
            add("endpoint", ep.host, "lynis_index", _num(hard.lynis_index), "", "", "")
        for area, state in hard.areas.items() if hard else ():
            detail = fmt.area_name(area, lang) + (f": {hard.reasons[area]}" if area in hard.reasons else "")
            add("hardening", ep.host, area, state, "", fmt.area_state(state, lang), detail)
    if not report.lines:
        add("line", "", "verdict", "", "", lang.t("not_measured"), "")
    for line in report.lines:
        why = advice.line_reasons(line, lang)
        add("line", line.host, "verdict", line.verdict or "", "", lang.verdict(line.verdict), why)
        for m in line.metrics:
            threshold = "" if m.limit is None else f"{'>=' if m.bound == 'min' else '<='}{_num(m.limit)}"
            add(
                "line",
                line.host,
                m.key,
                _num(m.value),
                threshold,
                fmt.metric_result(m, lang),
                lang.t(f"metric.{m.key}"),
            )
    if not report.rooms:
        add("room", "", "readiness", "", "", lang.t("not_measured"), "")
    for room in report.rooms:
        buy = dict(zip(room.buy, fmt.to_buy(room.buy, lang), strict=True))
        for device, state in room.devices.items():
            detail = lang.get(f"device.{device}", device)
            add("room", room.host, device, state, "present", lang.t(f"device.{state}"),
                f"{detail}: {buy[device]}" if device in buy else detail)  # fmt: skip
    for f in report.run_failures:
        add("failure", f.host, f.task, f.message, "", f.phase, lang.t("fail.run_level"))
    for f in rec.failures:
        add("failure", f.host, f.task, f.message, "", f.phase, "")
    for step in advice.advise(report):
        add("next", step.params.get("host", ""), step.code, "", "", "", advice.text(step, lang, report.contact))
    return rows


def ward_csv(report: WardReport, lang: Lang) -> str:
    return _write(WARD_HEADERS[lang.code], ward_rows(report, lang))


def city_csv(city: CityReport, lang: Lang) -> str:
    rows = []
    for row in city.rows:
        r, rec = row.report, row.record
        line = r.lines[0] if r and r.lines else None
        figures = {m.key: m.value for m in line.metrics} if line else {}
        router = r.router if r else None
        rows.append([
            row.ward, row.display_name, lang.status(row.live_status),
            fmt.router_model(router, lang) if r else "", (router.changed_lines if router else None),
            sum(1 for e in r.endpoints if e.ok) if r else "", len(r.endpoints) if r else "",
            *((r.clients if r else None) or ("", "")), *((r.hardening if r else None) or ("", "")),
            lang.verdict(r.line_verdict) if r else "", _num(figures.get("down_mbps")), _num(figures.get("up_mbps")),
            _num(figures.get("loss_percent")), advice.device_names(r.missing_devices, lang) if r else "",
            len(rec.failures) if rec else 0, holding(row, lang), rec.run_id if rec else "",
            lang.time(rec.finished_at) if rec and rec.finished_at else "",
            lang.time(row.ready_since) if row.ready_since else "",
        ])  # fmt: skip
    return _write(CITY_HEADERS[lang.code], rows)
