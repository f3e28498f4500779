"""A Vietnamese report is Vietnamese: every format of a `vi` report, from a record holding every kind of fact the
roles publish (and every state of them), names equipment, areas, verdicts and states in Vietnamese, and its times
say their time zone.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from report_helpers import ROOT, Clock, client_report, frozen, hardening_report, line_report, role_filter, router_report
from test_ward_report import visible

from wardctl.record.store import Failure, HostCounts, RunSettings, Store, WaveOutcome
from wardctl.report.i18n import STRINGS

WARD = "city_hall"
ROOM, SERVICES = "city_hall-room", "city_hall-services"
PCS = ("city_hall-pc-van_phong", "city_hall-pc-noi_vu", "city_hall-pc-tai_chinh_ke_hoach", "city_hall-pc-tu_phap",
       "city_hall-pc-van_hoa_thong_tin")  # fmt: skip
AUDIT_REASON = "augenrules --load exited 1"  # the role's words: recorded data, shown as they are
TASK = "endpoint_hardening : Fail the host if an area failed"
MESSAGE = f"endpoint_hardening on {ROOM}: area(s) failed: audit ({AUDIT_REASON})"

# English a Vietnamese reader must not meet: the kit's own English for equipment, areas, verdicts and states (its
# i18n table, where the Vietnamese differs), the role's default procurement wording, and the raw state ids.
ENGLISH_PREFIXES = ("area.", "area_name.", "client.", "procurement.", "device.", "verdict.", "status.", "metric.",
                    "check.", "line.")  # fmt: skip
KNOWN_ENGLISH = (
    "Conference camera", "wide angle", "speakerphone", "Room speakers", "Display for the room", "TV or monitor",
    "Already compliant", "Would apply", "Not run", "not measured", "installed", "would be installed", "removed",
    "compliant", "would_apply", "would_install", "not_run", "not_applied", "degraded bound", "unfit bound",
    "throughput", "min/avg/max", "needs", "checksum", "autostart", "from http",
)  # fmt: skip


def english_words() -> list[str]:
    words = set(KNOWN_ENGLISH)
    vietnamese = "\n".join(text["vi"] for text in STRINGS.values())  # "SSH", "OK" are Vietnamese too
    for key, text in STRINGS.items():
        if key.startswith(ENGLISH_PREFIXES) and text["en"] not in vietnamese and "{" not in text["en"]:
            words.add(text["en"])
    words |= set(role_procurement().values())
    return sorted(words, key=len, reverse=True)


def role_procurement() -> dict[str, str]:
    """roles/room_readiness's default wording of what to buy, by item (English)."""
    defaults = yaml.safe_load((ROOT / "roles" / "room_readiness" / "defaults" / "main.yml").read_text("utf-8"))
    return dict(defaults["room_readiness_procurement"])


def english_in(text: str) -> list[str]:
    """The English words left in `text` once the recorded data (task, message, the role's reason) is taken out."""
    for data in (TASK, MESSAGE, AUDIT_REASON):
        text = text.replace(data, " ")
    return [w for w in english_words() if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def every_fact_record(state: Path) -> None:
    """City hall in one run: a router that changed, an unfit line, a room with nothing, and endpoints whose facts
    take every state (an older record's shape and no facts at all included)."""
    room = role_filter("room_readiness")
    procurement = role_procurement()
    nothing = {item: {"present": False} for item in ("camera", "microphone", "speaker", "display")}
    unfit = line_report(WARD, ROOM, loss_percent=12.0, down_mbps=0.9, jitter_ms=42.0, ntp_offset_ms=900.0)
    only_rdp = hardening_report((), platform="Windows", run_tags=("endpoint_hardening_win_rdp",))
    # An older record's shape: areas as words and {enabled, applied}, a Lynis index.
    older = {"areas": {"win_firewall": "applied", "win_rdp": {"enabled": True, "applied": False}}, "lynis_index": 70}
    reports = {
        (f"{WARD}-router", "router"): router_report(),
        (ROOM, "line_check"): unfit,
        (ROOM, "room_readiness"): room.room_readiness_report(nothing, {"ward": WARD, "host": ROOM}, procurement),
        (ROOM, "conference_client"): client_report("installed"),
        (ROOM, "endpoint_hardening"): hardening_report(("ssh",), ("usb_storage",), {"audit": AUDIT_REASON}),
        (SERVICES, "endpoint_hardening"): hardening_report(("firewall",), ("time",)),
        (PCS[0], "conference_client"): client_report("would_install", "leader_pc", check=True),
        (PCS[0], "endpoint_hardening"): hardening_report(("win_firewall",), check=True, platform="Windows"),
        (PCS[1], "conference_client"): client_report("removed", "leader_pc"),
        (PCS[1], "endpoint_hardening"): only_rdp,
        (PCS[2], "conference_client"): {"package": "zavi-meeting", "version": "3.1.0", "state": "present"},
        (PCS[2], "endpoint_hardening"): older,
    }
    assert unfit["verdict"] == "unfit"
    hosts = {h: HostCounts(ok=10, changed=2) for h in (f"{WARD}-router", SERVICES, *PCS)}
    hosts[ROOM] = HostCounts(ok=10, changed=3, failed=1)
    outcome = WaveOutcome(hosts=hosts, failures=[Failure(ROOM, TASK, MESSAGE)], reports=reports)
    store = Store(state / "runs.db")
    with frozen(Clock(datetime(2021, 6, 3, 1, 30, tzinfo=UTC))):
        settings = RunSettings(str(ROOT / "inventory" / "vungtau"), "site.yml", False, None, [[WARD]], None, 0, "")
        store.create_run("r-vi", settings, {WARD: "UBND Thành phố Vũng Tàu"})
        store.mark_running("r-vi", [WARD])
        host_ward = dict.fromkeys(hosts, WARD)
        store.record_wave("r-vi", host_ward, outcome, {WARD: ("failed", "failed", f"apply: {ROOM}: {TASK}")})
        store.finish_run("r-vi", "failed")
    store.close()


@pytest.fixture
def vi_state(tmp_path, monkeypatch) -> Path:
    every_fact_record(tmp_path)
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path))
    return tmp_path


def csv_text(text: str, columns: tuple[int, ...]) -> str:
    """The header and the human columns of a CSV (the others hold stable English ids by design)."""
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    return "\n".join([" | ".join(rows[0])] + [" | ".join(r[i] for i in columns if i < len(r)) for r in rows[1:]])


STAMP = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d(?! \(UTC\+7\))")  # a Vietnamese time without its zone


def test_the_record_holds_every_kind_and_state(vi_state, cli) -> None:
    doc = json.loads(cli("report", WARD, "--format", "json", "--lang", "en").out)
    states = {s for ep in doc["endpoints"] if ep["hardening"] for s in ep["hardening"]["areas"].values()}
    assert states == {"applied", "compliant", "off", "failed", "would_apply", "not_run", "not_applied"}
    clients = {ep["client"]["state"] for ep in doc["endpoints"] if ep["client"]}
    assert clients == {"installed", "would_install", "removed"}
    assert doc["room"][0]["missing"] == ["camera", "microphone", "speaker", "display"]
    assert doc["router"]["measured"] and doc["line_verdict"] == "unfit"
    steps = [(s["code"], s["params"].get("host"), s["params"].get("area")) for s in doc["next_steps"]]
    assert ("hardening_failed", ROOM, "audit") in steps  # the host and the area
    assert ("client_missing", PCS[1], None) in steps and ("client_would_install", PCS[0], None) in steps
    assert ("hardening", PCS[2], None) in steps  # the older record's area neither applied nor off
    assert not any(code == "failed_task" for code, _, _ in steps)  # the area's step says it all
    failed = next(s for s in doc["next_steps"] if s["code"] == "hardening_failed")
    assert failed["text"].startswith(f"{ROOM}: hardening area “Audit log (auditd)” failed: {AUDIT_REASON}.")
    # The English report keeps the role's wording for what to buy.
    assert "Conference camera (USB UVC, 1080p, wide angle)" in cli("report", WARD, "--lang", "en").out


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_a_vietnamese_ward_report_is_vietnamese(vi_state, cli, fmt) -> None:
    res = cli("report", WARD, "--format", fmt, "--lang", "vi")
    assert res.code == 0, res.err
    text = res.out
    if fmt == "json":
        doc = json.loads(text)
        shown = [s["text"] for s in doc["next_steps"]] + [item for room in doc["room"] for item in room["to_buy"]]
        text = "\n".join(shown)
        assert "Camera hội nghị (USB UVC, 1080p, góc rộng)" in doc["room"][0]["to_buy"]
    elif fmt == "csv":
        text = csv_text(text, (8, 9))  # result, detail
    elif fmt == "html":
        text = visible(text)
    assert english_in(text) == [], fmt
    for vietnamese in ("Camera hội nghị (USB UVC, 1080p, góc rộng)", "Màn hình cho phòng họp",
                       "Nhật ký kiểm toán (auditd)"):  # fmt: skip
        assert vietnamese in text, (fmt, vietnamese)
    if fmt in ("md", "html"):
        for vietnamese in ("Đã đạt sẵn", "Sẽ áp dụng", "Không chạy lần này", "Không bật", "Chưa áp dụng",
                           "sẽ được cài", "đã gỡ", "đã kiểm tra mã băm", "Tường lửa Windows",
                           "chỉ số Lynis 70", "không cài trên máy này"):  # fmt: skip
            assert vietnamese in text, (fmt, vietnamese)
        assert "03/06/2021 08:30 (UTC+7)" in text  # finished, in the city's time, with its zone
        assert not STAMP.search(text), STAMP.search(text)


def test_the_vietnamese_city_pages_are_vietnamese(vi_state, cli) -> None:
    html = cli("report", "--city", "--lang", "vi").out
    assert re.search(r'<text class="zone"[^>]*>UTC\+7</text>', html)  # the chart's time axis says its zone
    page = visible(html)
    # The room and the older record's PC, of 13 machines (none on the services host).
    assert "đã cài trên 2/13 máy" in page and english_in(page) == []
    assert not STAMP.search(page)
    table = cli("status", "--lang", "vi").out
    assert "Lần chạy gần nhất (UTC+7)" in table and english_in(table) == []
    rows = csv_text(cli("report", "--city", "--format", "csv", "--lang", "vi").out, (2, 11, 15, 16, 19, 20))
    assert english_in(rows) == [] and "03/06/2021 08:30 (UTC+7)" in rows and not STAMP.search(rows)
    doc = json.loads(cli("report", "--city", "--format", "json", "--lang", "vi").out)
    ward = next(w for w in doc["wards"] if w["ward"] == WARD)
    assert ward["clients"] == {"installed": 2, "machines": 13} and english_in(ward["holding"] or "") == []
    assert ward["holding"] == f"{ROOM}: Nhật ký kiểm toán (auditd): {AUDIT_REASON}"  # the area, not the role's task
