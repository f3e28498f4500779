"""The reports read what the roles really publish: line_check_report and room_readiness_report are made here by
the roles' own filter plugins (skipped while a role has not landed), recorded, and rendered.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from report_helpers import ROOT, Clock, frozen, line_settings, role_filter

from wardctl.inventory.model import City
from wardctl.record.store import HostCounts, RunSettings, Store, WaveOutcome


def test_reports_made_by_the_roles(cli, scenario, tmp_path, monkeypatch) -> None:
    line_check = role_filter("line_check")
    room = role_filter("room_readiness")
    # Long Sơn's line as the lab shapes it: 1 Mbit/s each way.
    figures = {"rtt_min_ms": 20.1, "rtt_avg_ms": 35.2, "rtt_max_ms": 80.0, "jitter_ms": 4.2, "loss_percent": 0.0,
               "ping_sent": 200, "down_mbps": 0.96, "up_mbps": 0.95, "dns_ms": 12.0, "ntp_offset_ms": 3.5}  # fmt: skip
    identity = {"ward": "long_son", "ward_display_name": "Xã Long Sơn", "host": "long_son-room",
                "target": "203.0.113.10", "contract": {"down_mbps": 10, "up_mbps": 5}}  # fmt: skip
    line = line_check.line_check_report(figures, line_settings(), [], identity)
    items = {"camera": {"present": False}, "microphone": {"present": True, "devices": ["hw:1,0"]},
             "speaker": {"present": True}, "display": {"present": True}}  # fmt: skip
    readiness = room.room_readiness_report(items, identity, {"camera": "Conference camera (USB UVC, 1080p)"})

    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path))
    store = Store(tmp_path / "runs.db")
    city = scenario.city
    host_ward = {h: w.id for w in city.wards for h in w.hosts}
    names = {w.id: w.display_name for w in city.wards}
    with frozen(Clock(datetime(2021, 6, 3, tzinfo=UTC))):
        settings = RunSettings(
            str(ROOT / "inventory" / "vungtau"), "site.yml", False, None, [["long_son"]], None, 0, ""
        )
        store.create_run("r-roles", settings, names)
        store.mark_running("r-roles", ["long_son"])
        outcome = WaveOutcome(hosts={"long_son-router": HostCounts(ok=5), "long_son-room": HostCounts(ok=9)})
        outcome.reports[("long_son-room", "line_check")] = line
        outcome.reports[("long_son-room", "room_readiness")] = readiness
        store.record_wave("r-roles", host_ward, outcome, {"long_son": ("failed", "failed", "gate: line unfit")})
        store.finish_run("r-roles", "failed")
    store.close()

    md = cli("report", "long_son").out
    step = next(line for line in md.splitlines() if "Gọi nhà mạng" in line)
    assert "Tốc độ tải xuống 0,96 Mbit/s (cần ≥ 3, hợp đồng 10 Mbit/s)" in step
    assert "| Tốc độ tải xuống | 0,96 Mbit/s | ≥ 3,75 Mbit/s; không đạt < 3 Mbit/s | Không đạt |" in md
    assert "Đề xuất mua sắm cho phòng họp (long_son-room): Conference camera (USB UVC, 1080p)." in md
    doc = json.loads(cli("report", "long_son", "--format", "json").out)
    assert doc["line_verdict"] == "unfit" and doc["line"][0]["gate"] == "fail"
    checks = {c["metric"]: c for c in doc["line"][0]["checks"]}
    assert checks["down_mbps"]["level"] == "unfit" and checks["rtt_ms"]["level"] == "good"
    assert doc["room"][0]["missing"] == ["camera"]
    for fmt in ("html", "csv"):
        assert cli("report", "long_son", "--format", fmt).code == 0


def _record_line(store: Store, city: City, ward: str, line: dict[str, object]) -> None:
    """One done ward whose room reported `line` (and nothing else)."""
    host_ward = {h: w.id for w in city.wards for h in w.hosts}
    with frozen(Clock(datetime(2021, 6, 5, tzinfo=UTC))):
        store.create_run("r-line", RunSettings(str(ROOT / "inventory" / "vungtau"), "site.yml", False, None, [[ward]],
                                               None, 0, ""), {})  # fmt: skip
        store.mark_running("r-line", [ward])
        outcome = WaveOutcome(hosts={f"{ward}-room": HostCounts(ok=9)})
        outcome.reports[(f"{ward}-room", "line_check")] = line
        store.record_wave("r-line", host_ward, outcome, {ward: ("done", "passed", None)})
        store.finish_run("r-line", "done")
    store.close()


def test_the_report_shows_the_roles_verdict_not_its_own(cli, scenario, tmp_path, monkeypatch) -> None:
    """Figures in the good band, judged unfit by the role (a city's stricter bounds, say): the report says unfit,
    so it read the verdict rather than comparing the figures itself."""
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path))
    figures = {"rtt_min_ms": 8.0, "rtt_avg_ms": 12.0, "rtt_max_ms": 20.0, "jitter_ms": 2.0, "loss_percent": 0.0,
               "ping_sent": 200, "down_mbps": 40.0, "up_mbps": 12.0, "dns_ms": 10.0, "ntp_offset_ms": 1.0}  # fmt: skip
    line = role_filter("line_check").line_check_report(figures, line_settings(), [], {"ward": "phuong_7"})
    assert line["verdict"] == "good"  # what comparing these figures with the default bounds gives
    strict = "throughput down 40 Mbit/s < 50 Mbit/s (unfit bound: the city's own)"
    line |= {"verdict": "unfit", "checks": line["checks"] | {"down_mbps": "unfit"}, "reasons": [strict]}
    _record_line(Store(tmp_path / "runs.db"), scenario.city, "phuong_7", line)

    doc = json.loads(cli("report", "phuong_7", "--format", "json", "--lang", "en").out)
    assert doc["line_verdict"] == "unfit" and doc["line"][0]["verdict"] == "unfit"
    assert {c["metric"]: c["level"] for c in doc["line"][0]["checks"]}["down_mbps"] == "unfit"
    assert "line_unfit" in [s["code"] for s in doc["next_steps"]]
    assert "**Verdict: Unfit**" in cli("report", "phuong_7", "--lang", "en").out
    city = json.loads(cli("report", "--city", "--format", "json").out)
    assert next(w for w in city["wards"] if w["ward"] == "phuong_7")["line_verdict"] == "unfit"


def test_a_record_without_the_roles_verdict_says_not_measured(cli, scenario, tmp_path, monkeypatch) -> None:
    """An older record: figures and bounds but no verdict or checks. Figures far beyond every bound are shown,
    and still nothing is judged here."""
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path))
    bounds = {"rtt_ms": {"max": 300, "unfit_max": 800}, "down_mbps": {"min": 3.75, "unfit_min": 3}}
    old = {"rtt_ms": {"min": 900, "avg": 1500, "max": 3000}, "loss_percent": 40.0, "down_mbps": 0.2}
    old["thresholds"] = bounds
    _record_line(Store(tmp_path / "runs.db"), scenario.city, "phuong_7", old)

    doc = json.loads(cli("report", "phuong_7", "--format", "json", "--lang", "en").out)
    assert doc["line_verdict"] is None and doc["line"][0]["verdict"] is None
    assert all(c["level"] is None for c in doc["line"][0]["checks"])
    assert not any(s["code"].startswith("line_") for s in doc["next_steps"])
    md = cli("report", "phuong_7", "--lang", "en").out
    assert "**Verdict: not measured yet**" in md and "| 0.2 Mbit/s |" in md
    city = json.loads(cli("report", "--city", "--format", "json").out)
    assert next(w for w in city["wards"] if w["ward"] == "phuong_7")["line_verdict"] is None
