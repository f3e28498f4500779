"""Vietnamese (the default: ward technicians read it) and English strings, numbers and times for the reports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from wardctl.record.store import parse_time

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

STRINGS: dict[str, dict[str, str]] = {
    # --- statuses and verdicts
    "status.done": {"vi": "Hoàn thành", "en": "Done"},
    "status.failed": {"vi": "Lỗi", "en": "Failed"},
    "status.unreachable": {"vi": "Không kết nối được", "en": "Unreachable"},
    "status.pending": {"vi": "Chưa triển khai", "en": "Pending"},
    "status.running": {"vi": "Đang chạy", "en": "Running"},
    "verdict.good": {"vi": "Tốt", "en": "Good"},
    "verdict.degraded": {"vi": "Chưa tốt", "en": "Degraded"},
    "verdict.unfit": {"vi": "Không đạt", "en": "Unfit"},
    "device.present": {"vi": "Có", "en": "Present"},
    "device.missing": {"vi": "Thiếu", "en": "Missing"},
    "device.camera": {"vi": "Camera", "en": "Camera"},
    "device.microphone": {"vi": "Micro", "en": "Microphone"},
    "device.speaker": {"vi": "Loa", "en": "Speaker"},
    "device.display": {"vi": "Màn hình", "en": "Display"},
    # --- hardening outcomes (roles/endpoint_hardening; docs/report-facts.md) and the areas' names
    "area.applied": {"vi": "Đã áp dụng", "en": "Applied"},
    "area.compliant": {"vi": "Đã đạt sẵn", "en": "Already compliant"},
    "area.off": {"vi": "Không bật", "en": "Off"},
    "area.failed": {"vi": "Lỗi", "en": "Failed"},
    "area.would_apply": {"vi": "Sẽ áp dụng", "en": "Would apply"},
    "area.not_run": {"vi": "Không chạy lần này", "en": "Not run"},
    "area.not_applied": {"vi": "Chưa áp dụng", "en": "Not applied"},
    "area_name.ssh": {"vi": "Đăng nhập từ xa (SSH)", "en": "SSH"},
    "area_name.firewall": {"vi": "Tường lửa", "en": "Firewall"},
    "area_name.updates": {"vi": "Cập nhật tự động", "en": "Automatic updates"},
    "area_name.time": {"vi": "Đồng bộ giờ", "en": "Time sync"},
    "area_name.audit": {"vi": "Nhật ký kiểm toán (auditd)", "en": "Audit log (auditd)"},
    "area_name.sysctl": {"vi": "Tham số nhân (sysctl)", "en": "Kernel parameters (sysctl)"},
    "area_name.pam": {"vi": "Chính sách mật khẩu (PAM)", "en": "Password policy (PAM)"},
    "area_name.accounts": {"vi": "Tài khoản người dùng", "en": "User accounts"},
    "area_name.sudo": {"vi": "Quyền quản trị (sudo)", "en": "Administrator rights (sudo)"},
    "area_name.services": {"vi": "Dịch vụ không cần thiết", "en": "Unneeded services"},
    "area_name.kernel_modules": {"vi": "Mô-đun nhân", "en": "Kernel modules"},
    "area_name.usb_storage": {"vi": "Chặn ổ nhớ USB", "en": "USB storage"},
    "area_name.banner": {"vi": "Thông báo khi đăng nhập", "en": "Login banner"},
    "area_name.logging": {"vi": "Gửi nhật ký hệ thống", "en": "System logging"},
    "area_name.coredumps": {"vi": "Chặn kết xuất bộ nhớ (core dump)", "en": "Core dumps"},
    "area_name.integrity": {"vi": "Kiểm tra toàn vẹn tệp (AIDE)", "en": "File integrity (AIDE)"},
    "area_name.win_firewall": {"vi": "Tường lửa Windows", "en": "Windows firewall"},
    "area_name.win_smb": {"vi": "Chia sẻ tệp SMB (Windows)", "en": "SMB file sharing (Windows)"},
    "area_name.win_rdp": {"vi": "Truy cập từ xa RDP (Windows)", "en": "Remote desktop (Windows)"},
    "area_name.win_updates": {"vi": "Cập nhật Windows", "en": "Windows updates"},
    "area_name.win_screen_lock": {"vi": "Khóa màn hình (Windows)", "en": "Screen lock (Windows)"},
    "area_name.win_defender": {"vi": "Diệt virus Defender (Windows)", "en": "Defender antivirus (Windows)"},
    # --- the meeting client (roles/conference_client)
    "client.installed": {"vi": "đã cài", "en": "installed"},
    "client.not_here": {"vi": "không cài trên máy này", "en": "not for this machine"},
    "client.would_install": {"vi": "sẽ được cài", "en": "would be installed"},
    "client.removed": {"vi": "đã gỡ", "en": "removed"},
    "client.source": {"vi": "nguồn", "en": "from"},
    "client.verified": {"vi": "đã kiểm tra mã băm", "en": "checksum verified"},
    "client.unverified": {"vi": "chưa kiểm tra mã băm", "en": "checksum not verified"},
    "client.autostart": {"vi": "tự khởi động", "en": "starts on its own"},
    "client.no_autostart": {"vi": "không tự khởi động", "en": "no autostart"},
    "client.pinned": {"vi": "cần bản {version}", "en": "pinned {version}"},
    # --- what the finance office buys (roles/room_readiness `room_readiness_procurement`, keyed by item)
    "procurement.camera": {
        "vi": "Camera hội nghị (USB UVC, 1080p, góc rộng)",
        "en": "Conference camera (USB UVC, 1080p, wide angle)",
    },
    "procurement.microphone": {
        "vi": "Micro hội nghị hoặc loa kèm micro (USB)",
        "en": "Conference microphone or speakerphone (USB)",
    },
    "procurement.speaker": {
        "vi": "Loa phòng họp hoặc loa kèm micro (USB)",
        "en": "Room speakers or speakerphone (USB)",
    },
    "procurement.display": {
        "vi": "Màn hình cho phòng họp (TV hoặc màn hình máy tính, HDMI)",
        "en": "Display for the room (TV or monitor, HDMI)",
    },
    "role.meeting_room": {"vi": "Phòng họp", "en": "Meeting room"},
    "role.leader_pc": {"vi": "Máy lãnh đạo", "en": "Leader's PC"},
    "role.city_services": {"vi": "Máy chủ dịch vụ", "en": "Services host"},
    "role.router": {"vi": "Router", "en": "Router"},
    "role.endpoint": {"vi": "Máy trạm", "en": "Endpoint"},
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    "not_measured": {"vi": "chưa đo", "en": "not measured yet"},
    "not_in_run": {"vi": "không có trong lần chạy", "en": "not in this run"},
    "none": {"vi": "không có", "en": "none"},
    # --- ward report
    "ward.title": {"vi": "Báo cáo triển khai — {name}", "en": "Rollout report — {name}"},
    "ward.status": {"vi": "Trạng thái", "en": "Status"},
    "ward.run": {"vi": "Lần chạy", "en": "Run"},
    "ward.finished": {"vi": "Kết thúc", "en": "Finished"},
    "ward.dry_run": {
        "vi": "Chạy thử (--check): chưa thay đổi gì trên thiết bị",
        "en": "Dry run (--check): nothing was changed",
    },
    "ward.technician": {"vi": "Kỹ thuật viên", "en": "Technician"},
    "ward.gate": {"vi": "Kiểm tra sau triển khai", "en": "Health gate"},
    "ward.message": {"vi": "Ghi chú", "en": "Note"},
    "ward.generated": {"vi": "Tạo lúc", "en": "Generated"},
    # --- the published site's links (wardctl report --publish)
    "links.label": {"vi": "Bản khác và tệp tải về", "en": "Other version and downloads"},
    "links.other_lang": {"vi": "Bản tiếng Anh", "en": "Tiếng Việt (Vietnamese)"},
    "links.download": {"vi": "Tải về", "en": "Download"},
    "sec.next": {"vi": "Việc cần làm tiếp", "en": "What to do next"},
    "sec.router": {"vi": "Router: những gì đã thay đổi", "en": "Router: what changed"},
    "sec.endpoints": {"vi": "Máy trạm: phần mềm họp và bảo mật", "en": "Endpoints: meeting client and hardening"},
    "sec.line": {"vi": "Chất lượng đường truyền", "en": "Line quality"},
    "sec.room": {"vi": "Thiết bị phòng họp", "en": "Room readiness"},
    "sec.failures": {"vi": "Lỗi ghi nhận", "en": "Failures"},
    "sec.hosts": {"vi": "Kết quả từng máy", "en": "Per host"},
    "router.model": {"vi": "Model", "en": "Model"},
    "router.os": {"vi": "Phiên bản hệ điều hành", "en": "OS version"},
    "router.changed": {"vi": "Có thay đổi", "en": "Changed"},
    "router.lines_pushed": {"vi": "Số dòng cấu hình đã gửi", "en": "Config lines pushed"},
    "router.diff": {"vi": "Khác biệt cấu hình", "en": "Config diff"},
    "router.diff_counts": {
        "vi": "thêm {added} dòng, bỏ {removed} dòng",
        "en": "{added} lines added, {removed} removed",
    },
    "router.diff_first": {"vi": "Các dòng đầu tiên", "en": "First lines"},
    "router.diff_more": {"vi": "… và {n} dòng nữa", "en": "… and {n} more"},
    "router.no_diff": {"vi": "không có thay đổi", "en": "no change"},
    "router.backup": {"vi": "Bản sao lưu cấu hình", "en": "Config backup"},
    "router.none": {
        "vi": "Phường này không có router trong inventory",
        "en": "This ward has no router in the inventory",
    },
    "ep.host": {"vi": "Máy", "en": "Host"},
    "ep.role": {"vi": "Vai trò", "en": "Role"},
    "ep.result": {"vi": "Kết quả", "en": "Result"},
    "ep.client": {"vi": "Phần mềm họp", "en": "Meeting client"},
    "ep.hardening": {"vi": "Bảo mật", "en": "Hardening"},
    "ep.areas": {"vi": "{applied}/{total} mục đã áp dụng", "en": "{applied}/{total} areas applied"},
    "ep.area": {"vi": "Mục bảo mật", "en": "Area"},
    "ep.outcome": {"vi": "Kết quả", "en": "Outcome"},
    "ep.dry_run": {"vi": "chạy thử", "en": "dry run"},
    "ep.lynis": {"vi": "chỉ số Lynis {index}", "en": "Lynis index {index}"},
    "ep.none": {"vi": "Không có máy trạm", "en": "No endpoints"},
    "host.ok": {"vi": "OK", "en": "ok"},
    "host.changed": {"vi": "thay đổi", "en": "changed"},
    "host.failed": {"vi": "lỗi", "en": "failed"},
    "host.unreachable": {"vi": "mất kết nối", "en": "unreachable"},
    "host.skipped": {"vi": "bỏ qua", "en": "skipped"},
    "host.counts": {
        "vi": "{ok} OK, {changed} thay đổi, {failed} lỗi",
        "en": "{ok} ok, {changed} changed, {failed} failed",
    },
    "line.metric": {"vi": "Chỉ số", "en": "Metric"},
    "line.measured": {"vi": "Đo được", "en": "Measured"},
    "line.threshold": {"vi": "Ngưỡng", "en": "Threshold"},
    "line.result": {"vi": "Đánh giá", "en": "Result"},
    "line.verdict": {"vi": "Kết luận", "en": "Verdict"},
    "line.reasons": {"vi": "Lý do", "en": "Reasons"},
    "line.unfit_bound": {"vi": "không đạt {bound}", "en": "unfit {bound}"},
    "line.contract": {"vi": "hợp đồng {value}", "en": "contract {value}"},
    "line.waived": {
        "vi": "Được miễn trừ: đường truyền không đạt nhưng không chặn việc triển khai.",
        "en": "Waived: the line is unfit but does not block the rollout.",
    },
    "line.from": {"vi": "đo từ {host}", "en": "measured from {host}"},
    "line.min_avg_max": {"vi": "thấp nhất/trung bình/cao nhất", "en": "min/avg/max"},
    "line.needs": {"vi": "cần", "en": "needs"},
    "metric.rtt_ms": {"vi": "Độ trễ (RTT)", "en": "Round-trip time"},
    "metric.jitter_ms": {"vi": "Độ dao động trễ (jitter)", "en": "Jitter"},
    "metric.loss_percent": {"vi": "Mất gói", "en": "Packet loss"},
    "metric.down_mbps": {"vi": "Tốc độ tải xuống", "en": "Download"},
    "metric.up_mbps": {"vi": "Tốc độ tải lên", "en": "Upload"},
    "metric.dns_ms": {"vi": "Thời gian phân giải DNS", "en": "DNS lookup"},
    "metric.ntp_offset_ms": {"vi": "Lệch đồng hồ (NTP)", "en": "Clock offset (NTP)"},
    "check.ok": {"vi": "Đạt", "en": "OK"},
    "check.bad": {"vi": "Không đạt", "en": "Not OK"},
    "room.device": {"vi": "Thiết bị", "en": "Device"},
    "room.state": {"vi": "Tình trạng", "en": "State"},
    "room.to_buy": {"vi": "Cần mua", "en": "To buy"},
    "fail.host": {"vi": "Máy", "en": "Host"},
    "fail.task": {"vi": "Bước", "en": "Task"},
    "fail.message": {"vi": "Thông báo", "en": "Message"},
    "fail.phase": {"vi": "Giai đoạn", "en": "Phase"},
    "fail.none": {"vi": "Không có lỗi.", "en": "No failures."},
    "fail.run_level": {"vi": "(cả lần chạy)", "en": "(whole run)"},
    "phase.apply": {"vi": "triển khai", "en": "apply"},
    "phase.gate": {"vi": "kiểm tra", "en": "gate"},
    # --- what to do next (advice.py)
    "next.all_good": {
        "vi": "Không cần làm gì thêm: phòng họp trực tuyến của đơn vị đã sẵn sàng.",
        "en": "Nothing to do: the ward's online meeting room is ready.",
    },
    "next.pending": {
        "vi": "Đơn vị chưa được triển khai trong lần chạy {run_id}: chờ đợt triển khai tiếp theo.",
        "en": "Not rolled out yet in run {run_id}: it waits for a later wave.",
    },
    "next.running": {
        "vi": "Đang triển khai: xem lại báo cáo này khi lần chạy {run_id} kết thúc.",
        "en": "Rolling out now: read this report again when run {run_id} finishes.",
    },
    "next.dry_run_changes": {
        "vi": "Đây là lần chạy thử: {n} thay đổi đang chờ áp dụng; thiết bị chưa bị thay đổi.",
        "en": "This was a dry run: {n} change(s) pending; nothing was changed on the devices.",
    },
    "next.unreachable": {
        "vi": "Không kết nối được {host}{address}: kiểm tra nguồn điện, dây mạng và đường Internet, "
        "rồi gọi kỹ thuật thành phố{contact}.",
        "en": "Could not reach {host}{address}: check its power, its cable and the Internet line, "
        "then call city hall's technician{contact}.",
    },
    "next.failed_task": {
        "vi": "{host}: bước «{task}» bị lỗi: {message}. Khắc phục rồi báo kỹ thuật thành phố chạy lại "
        "(wardctl rollout --resume {run_id}).",
        "en": "{host}: task “{task}” failed: {message}. Fix it, then ask city hall to resume the rollout "
        "(wardctl rollout --resume {run_id}).",
    },
    "next.line_unfit": {
        "vi": "Gọi nhà mạng: đường truyền không đạt yêu cầu họp trực tuyến. Số liệu đo: {figures}.",
        "en": "Call the ISP: the line is unfit for video meetings. Measured: {figures}.",
    },
    "next.line_degraded": {
        "vi": "Đường truyền chưa tốt ({figures}): theo dõi; nếu kéo dài, báo nhà mạng kèm số liệu này.",
        "en": "The line is degraded ({figures}): watch it, and report these figures to the ISP if it persists.",
    },
    "next.room_missing": {
        "vi": "Đề xuất mua sắm cho phòng họp ({host}): {items}.",
        "en": "Request procurement for the meeting room ({host}): {items}.",
    },
    "next.client_missing": {
        "vi": "Phần mềm họp trên {host} chưa sẵn sàng (trạng thái: {state}): báo kỹ thuật thành phố cài lại.",
        "en": "The meeting client on {host} is not ready (state: {state}): ask city hall to reinstall it.",
    },
    "next.client_would_install": {
        "vi": "Phần mềm họp chưa có trên {host}: lần triển khai thật sẽ cài (bản {version}).",
        "en": "The meeting client is not on {host} yet: the real rollout will install it (version {version}).",
    },
    "next.hardening_failed": {
        "vi": "{host}: mục bảo mật «{area}» bị lỗi: {reason}. Khắc phục rồi báo kỹ thuật thành phố chạy lại "
        "(wardctl rollout --resume {run_id}).",
        "en": "{host}: hardening area “{area}” failed: {reason}. Fix it, then ask city hall to resume the rollout "
        "(wardctl rollout --resume {run_id}).",
    },
    "next.hardening": {
        "vi": "{host}: các mục bảo mật chưa áp dụng: {areas}.",
        "en": "{host}: hardening areas not applied: {areas}.",
    },
    "next.not_measured": {
        "vi": "Chưa đo chất lượng đường truyền: đề nghị kỹ thuật thành phố chạy bước kiểm tra đường truyền.",
        "en": "Line quality not measured yet: ask city hall to run the line check.",
    },
    "next.run_failure": {
        "vi": "Lần chạy gặp lỗi chung ({task}): {message}. Báo kỹ thuật thành phố.",
        "en": "The run itself failed ({task}): {message}. Tell city hall's technician.",
    },
    # --- status table and city dashboard
    "city.title": {"vi": "Tiến độ triển khai họp trực tuyến — {name}", "en": "Video meeting rollout — {name}"},
    "city.ward": {"vi": "Mã", "en": "Ward"},
    "city.name": {"vi": "Đơn vị", "en": "Name"},
    "city.status": {"vi": "Trạng thái", "en": "Status"},
    "city.router": {"vi": "Router", "en": "Router"},
    "city.router_lines": {"vi": "dòng đổi", "en": "lines changed"},
    "city.endpoints": {"vi": "Máy trạm OK", "en": "Endpoints ok"},
    "city.clients": {"vi": "Phần mềm họp", "en": "Meeting client"},
    "city.clients_of": {"vi": "đã cài trên {n}/{m} máy", "en": "installed on {n} of {m} machines"},
    "city.hardening": {"vi": "Bảo mật", "en": "Hardening"},
    "city.clients_short": {"vi": "PM họp", "en": "Client"},
    "city.hardening_short": {"vi": "Bảo mật", "en": "Hardened"},
    "city.hardening_of": {"vi": "{n}/{m} mục đã áp dụng", "en": "{n} of {m} areas applied"},
    "city.line": {"vi": "Đường truyền", "en": "Line"},
    "city.last_run": {"vi": "Lần chạy gần nhất", "en": "Last run"},
    "city.holding": {"vi": "Vướng mắc", "en": "Holding it back"},
    "city.ready_since": {"vi": "Sẵn sàng từ", "en": "Ready since"},
    "city.total": {"vi": "Tổng số", "en": "Total"},
    "city.ready": {"vi": "đơn vị sẵn sàng", "en": "wards ready"},
    "city.ready_of": {"vi": "{ready}/{total} đơn vị sẵn sàng", "en": "{ready} of {total} wards ready"},
    "city.deadline": {"vi": "Hạn hoàn thành", "en": "Deadline"},
    "city.days_left": {"vi": "còn {n} ngày", "en": "{n} days left"},
    "city.overdue": {"vi": "quá hạn {n} ngày", "en": "{n} days overdue"},
    "city.chart": {"vi": "Số đơn vị sẵn sàng theo thời gian", "en": "Wards ready over time"},
    "city.chart_ready": {"vi": "Đã sẵn sàng", "en": "Ready"},
    "city.chart_pace": {"vi": "Tiến độ cần đạt", "en": "Pace needed"},
    "city.chart_target": {"vi": "Mục tiêu: {n}", "en": "Target: {n}"},
    "city.chart_empty": {"vi": "Chưa có đơn vị nào hoàn thành", "en": "No ward is ready yet"},
    "city.no_deadline": {"vi": "chưa đặt", "en": "not set"},
    "city.deadline_passed": {"vi": "đã qua trước lần triển khai đầu tiên", "en": "passed before the first run"},
    "city.chart_today": {"vi": "Hôm nay", "en": "Today"},
    "city.view_latest": {
        "vi": "Mỗi đơn vị theo lần triển khai gần nhất",
        "en": "Each ward as of its latest rollout",
    },
    "city.view_run": {"vi": "Lần chạy {run_id}", "en": "Run {run_id}"},
    "city.no_runs": {
        "vi": "Chưa có lần triển khai nào; chạy `wardctl rollout`.",
        "en": "no rollout recorded yet; run `wardctl rollout`",
    },
    "city.dry": {"vi": "chạy thử", "en": "dry run"},
    "city.line_unfit_reason": {"vi": "đường truyền không đạt", "en": "line unfit"},
    "city.room_missing_reason": {"vi": "thiếu {items}", "en": "missing {items}"},
}

_VI_DATE = "%d/%m/%Y %H:%M"
_EN_DATE = "%Y-%m-%d %H:%M"


class Lang:
    """Strings, numbers and times in one language; times shown in the city's time zone."""

    def __init__(self, code: str = DEFAULT_LANG, tz: tzinfo | None = None) -> None:
        if code not in LANGS:
            raise ValueError(code)
        self.code = code
        self.tz = tz or city_tz()

    def t(self, key: str, **params: Any) -> str:
        text = STRINGS[key][self.code]
        return text.format(**params) if params else text

    def get(self, key: str, default: str) -> str:
        return self.t(key) if key in STRINGS else default

    def status(self, status: str) -> str:
        return self.get(f"status.{status}", status)

    def verdict(self, verdict: str | None) -> str:
        return self.get(f"verdict.{verdict}", verdict) if verdict else self.t("not_measured")

    def num(self, value: float | int | None, digits: int = 2) -> str:
        if value is None:
            return "—"
        text = f"{value:.{digits}f}" if isinstance(value, float) else str(value)
        if "." in text:  # 12.50 -> 12.5, never 70 -> 7
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",") if self.code == "vi" else text  # Vietnamese writes 0,9

    def time(self, stamp: str | None, zone: bool = True) -> str:
        """The stamp in the city's time, with its zone (`10/06/2021 08:30 (UTC+7)`, `2021-06-10 03:30 CEST
        (UTC+2)`) unless a header says it."""
        when = parse_time(stamp)
        if when is None:
            return "—"
        local = when.astimezone(self.tz)
        text = local.strftime(_VI_DATE if self.code == "vi" else _EN_DATE)
        if not zone:
            return text
        label = zone_label(local)
        return f"{text} ({label})" if label.startswith("UTC") else f"{text} {label}"

    @property
    def zone(self) -> str:
        """The city's zone as of now, for a header over times shown without it."""
        return zone_label(datetime.now(self.tz))

    def date(self, when: datetime) -> str:
        return when.strftime("%d/%m/%Y" if self.code == "vi" else "%Y-%m-%d")


def zone_label(when: datetime) -> str:
    """`UTC+7` (`UTC+5:30`), after the zone's abbreviation when it has a lettered one (`CEST (UTC+2)`)."""
    offset = when.utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")
    name = when.tzname() or ""
    return f"{name} ({utc})" if name.isalpha() and name != "UTC" else utc


def city_tz(name: str | None = None) -> tzinfo:
    """The city's zone (inventory `city_timezone`, default Asia/Ho_Chi_Minh); a fixed +07:00 without tzdata."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name or "Asia/Ho_Chi_Minh")
    except (ImportError, KeyError, ValueError, OSError):
        return timezone(timedelta(hours=7))
