"""The reports read what the roles really publish: line_check_report and room_readiness_report are made here by
the roles' own filter plugins (skipped while a role has not landed), recorded, and rendered.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from types import ModuleType

import pytest
import yaml
from report_helpers import ROOT, Clock, frozen

from wardctl.record.store import HostCounts, RunSettings, Store, WaveOutcome


def role_filter(role: str) -> ModuleType:
    path = ROOT / "roles" / role / "filter_plugins" / f"{role}.py"
    if not path.is_file():
        pytest.skip(f"roles/{role} has not landed")
    spec = importlib.util.spec_from_file_location(f"_report_test_{role}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def line_settings() -> dict[str, object]:
    """The role's defaults, named as roles/line_check/tasks/verdict.yml hands them to its filter."""
    d = yaml.safe_load((ROOT / "roles" / "line_check" / "defaults" / "main.yml").read_text(encoding="utf-8"))
    names = ("rtt_degraded_ms", "rtt_unfit_ms", "jitter_degraded_ms", "jitter_unfit_ms", "loss_degraded_percent",
             "loss_unfit_percent", "participants", "mbps_per_participant", "dns_degraded_ms", "ntp_degraded_ms",
             "ntp_unfit_ms")  # fmt: skip
    settings: dict[str, object] = {n: float(d[f"line_check_{n}"]) for n in names}
    settings["headroom_percent"] = float(d["line_check_throughput_headroom_percent"])
    return settings | {"latency": True, "throughput": True, "dns": True, "ntp": True, "province": False,
                       "target": "203.0.113.10", "dns_name": "zavi.me", "waive_unfit": False}  # fmt: skip


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
