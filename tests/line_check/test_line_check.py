"""The line check's parsers and verdict, fed with recorded outputs (tests/line_check/fixtures/README.md).

The lab's kernel has no netem, so delay and jitter are tested here: the bufferbloat recording is real (the shaped
ward's line saturated while pinging), the satellite, VSAT and Wi-Fi ones are composed in iputils' exact format.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import subprocess
from pathlib import Path

import pytest
import yaml
from support import ROOT, load_module

ROLE = ROOT / "roles" / "line_check"
FIXTURES = Path(__file__).parent / "fixtures"


probe = load_module("line_probe", ROLE / "library" / "line_probe.py")
verdicts = load_module("line_check_filters", ROLE / "filter_plugins" / "line_check.py")
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())


def settings(**over) -> dict:
    """The verdict's settings from the role's real defaults (what verdict.yml passes), all areas measured."""
    s = {k.removeprefix("line_check_"): v for k, v in DEFAULTS.items() if isinstance(v, int | float)}
    s["headroom_percent"] = DEFAULTS["line_check_throughput_headroom_percent"]
    s.update(latency=True, throughput=True, dns=True, ntp=True, province=False, target="203.0.113.10",
             dns_name="zavi.me", waive_unfit=False)  # fmt: skip
    s.update(over)
    return s


def ping(name: str) -> dict:
    parsed = probe.parse_ping((FIXTURES / f"ping_{name}.txt").read_text())
    keys = ("rtt_min_ms", "rtt_avg_ms", "rtt_max_ms", "jitter_ms", "loss_percent")
    return {**{k: parsed[k] for k in keys}, "ping_sent": parsed["sent"], "ping_received": parsed["received"]}


def iperf(name: str) -> float | None:
    return probe.parse_iperf((FIXTURES / f"iperf_{name}.json").read_text())["mbps"]


def good_rest(**over) -> dict:
    figures = {"down_mbps": iperf("good_down"), "up_mbps": iperf("good_up"), "dns_ms": 0.9, "ntp_offset_ms": 0.02}
    return {**figures, **over}


# --- parsers -------------------------------------------------------------------------------------------------------
def test_ping_parser_takes_every_reply_and_computes_its_own_figures():
    got = probe.parse_ping((FIXTURES / "ping_good.txt").read_text())
    assert (got["sent"], got["received"], got["loss_percent"]) == (50, 50, 0.0)
    assert len(got["samples"]) == 50 and got["samples"][0] == 0.089
    # The per-packet figures agree with ping's own summary (0.045/0.091/0.121) within its print rounding.
    assert (got["rtt_min_ms"], got["rtt_avg_ms"], got["rtt_max_ms"]) == (0.045, 0.091, 0.121)


def test_ping_parser_counts_loss_exactly_not_from_pings_rounded_percentage():
    got = probe.parse_ping((FIXTURES / "ping_lossy.txt").read_text())
    assert (got["sent"], got["received"], got["loss_percent"]) == (300, 286, 4.67)


def test_ping_parser_drops_duplicates_and_counts_icmp_errors_as_losses():
    got = probe.parse_ping((FIXTURES / "ping_dup_and_errors.txt").read_text())
    assert (got["sent"], got["received"], got["loss_percent"]) == (20, 18, 10.0)
    assert 23.1 not in got["samples"]  # the duplicates' time, never a first reply here


def test_ping_parser_with_no_reply():
    got = probe.parse_ping((FIXTURES / "ping_unreachable.txt").read_text())
    assert (got["sent"], got["received"], got["loss_percent"], got["rtt_avg_ms"], got["jitter_ms"]) == (
        5, 0, 100.0, None, None)  # fmt: skip


def test_ping_parser_reads_ping_without_summary_from_sequence_numbers():
    text = "".join(f"64 bytes from 10.0.0.1: icmp_seq={n} ttl=64 time={ms} ms\n" for n, ms in ((1, 10), (4, 12)))
    got = probe.parse_ping(text)
    assert (got["sent"], got["received"], got["loss_percent"]) == (4, 2, 50.0)


def test_jitter_is_the_mean_absolute_difference_of_consecutive_rtts():
    assert probe.jitter([10.0, 20.0, 15.0]) == 7.5  # (|20-10| + |15-20|) / 2
    assert probe.jitter([5.0, 5.0, 5.0]) == 0.0
    assert probe.jitter([5.0]) is None
    # Recorded: the shaped ward's line saturated by a download while pinging (bufferbloat).
    loaded = probe.parse_ping((FIXTURES / "ping_bufferbloat.txt").read_text())
    assert loaded["jitter_ms"] == pytest.approx(42.0, abs=0.1)


def test_iperf_parser_reads_what_the_far_end_received():
    assert iperf("good_down") > 10_000 and iperf("good_up") > 10_000
    assert iperf("shaped_down") == pytest.approx(0.799, abs=0.001)
    assert iperf("shaped_up") == pytest.approx(0.827, abs=0.001)
    busy = probe.parse_iperf((FIXTURES / "iperf_busy.json").read_text())
    assert busy["busy"] and busy["mbps"] is None and "busy" in busy["error"]
    refused = probe.parse_iperf((FIXTURES / "iperf_refused.json").read_text())
    assert not refused["busy"] and "Connection refused" in refused["error"]
    assert probe.parse_iperf("iperf3: error - unable to connect")["error"] == "iperf3: error - unable to connect"


def test_iperf_retries_a_busy_server_on_the_next_port(monkeypatch):
    busy, done = FIXTURES / "iperf_busy.json", FIXTURES / "iperf_shaped_down.json"
    outputs = {5201: [busy, busy], 5202: [busy, done]}
    calls = []

    def fake_run(cmd, **_kw):
        port = int(cmd[cmd.index("-p") + 1])
        calls.append(port)
        return subprocess.CompletedProcess(cmd, 0, outputs[port].pop(0).read_text(), "")

    monkeypatch.setattr(probe.subprocess, "run", fake_run)
    monkeypatch.setattr(probe.time, "sleep", lambda _s: None)
    monkeypatch.setattr(probe.socket, "gethostname", lambda: "phuong_1-room")  # crc32 even: first port first
    got = probe.run_iperf("203.0.113.10", [5201, 5202], 2, "down", wait=60, timeout=2)
    assert got["mbps"] == pytest.approx(0.799, abs=0.001) and got["port"] == 5202
    assert calls == [5201, 5202, 5201, 5202]


def test_iperf_gives_up_at_once_when_no_server_is_merely_busy(monkeypatch):
    def fake_run(cmd, **_kw):
        return subprocess.CompletedProcess(cmd, 1, (FIXTURES / "iperf_refused.json").read_text(), "")

    monkeypatch.setattr(probe.subprocess, "run", fake_run)
    got = probe.run_iperf("203.0.113.10", [5201], 2, "up", wait=600, timeout=2)
    assert got["mbps"] is None and "Connection refused" in got["error"]


def test_iperf_command_measures_download_with_reverse_mode():
    assert "-R" in probe.iperf_command("s", 5201, 2, "down", 2.0)
    assert "-R" not in probe.iperf_command("s", 5201, 2, "up", 2.0)
    assert "--bitrate=200M" in probe.iperf_command("s", 5201, 2, "up", 2.0, max_mbps=200)
    assert not any(a.startswith("--bitrate") for a in probe.iperf_command("s", 5201, 2, "up", 2.0))


def test_sntp_offset_and_delay_from_a_server_answer():
    t1, t4 = 1_700_000_000.0, 1_700_000_000.050
    t2, t3 = t1 + 0.020 + 3.0, t1 + 0.030 + 3.0  # the server's clock is 3 s ahead; 20 ms each way, 10 ms inside
    answer = bytes([0x24, 2, 0, 0xEC]) + bytes(20)  # LI 0, VN 4, mode 4 (server), stratum 2
    answer += struct.pack("!QQQ", probe.unix_to_ntp(t1), probe.unix_to_ntp(t2), probe.unix_to_ntp(t3))
    got = probe.parse_sntp(answer, t1, t4)
    assert got["ntp_offset_ms"] == pytest.approx(3000.0, abs=0.01)
    assert got["ntp_delay_ms"] == pytest.approx(40.0, abs=0.01)
    assert len(probe.sntp_request(t1)) == 48
    with pytest.raises(ValueError, match="does not match"):
        probe.parse_sntp(answer, t1 + 1, t4)


# --- verdicts ------------------------------------------------------------------------------------------------------
def test_a_good_line():
    got = verdicts.line_check_verdict({**ping("good"), **good_rest()}, settings())
    assert got["verdict"] == "good" and got["reasons"] == []
    judged = {"rtt_ms", "jitter_ms", "loss_percent", "down_mbps", "up_mbps", "dns_ms", "ntp_offset_ms"}
    assert set(got["checks"]) == judged


def test_the_shaped_ward_is_unfit_for_bandwidth_with_the_measured_figure():
    figures = {**ping("good"), **good_rest(down_mbps=iperf("shaped_down"), up_mbps=iperf("shaped_up"))}
    got = verdicts.line_check_verdict(figures, settings())
    assert got["verdict"] == "unfit"
    assert got["reasons"][0] == "throughput down 0.8 Mbit/s < 3 Mbit/s (unfit bound: 2 participants × 1.5 Mbit/s)"  # noqa: RUF001
    assert got["checks"]["down_mbps"] == got["checks"]["up_mbps"] == "unfit"


def test_throughput_within_the_headroom_is_degraded():
    got = verdicts.line_check_verdict({**ping("good"), **good_rest(down_mbps=3.5)}, settings())
    assert got["verdict"] == "degraded"
    assert got["reasons"] == ["throughput down 3.5 Mbit/s < 3.75 Mbit/s (degraded bound)"]
    assert got["thresholds"]["down_mbps"] == {"min": 3.75, "unfit_min": 3.0}


def test_more_participants_raise_the_bar():
    got = verdicts.line_check_verdict({**ping("good"), **good_rest(down_mbps=8.0)}, settings(participants=6))
    assert got["verdict"] == "unfit" and "< 9 Mbit/s" in got["reasons"][0]


def test_the_lossy_ward_is_degraded_for_loss_with_the_measured_figure():
    got = verdicts.line_check_verdict({**ping("lossy"), **good_rest()}, settings())
    assert got["verdict"] == "degraded" and got["reasons"] == ["loss 4.67 % > 1 % (degraded bound)"]


def test_a_geostationary_satellite_is_degraded_on_delay():
    got = verdicts.line_check_verdict({**ping("geo_satellite"), **good_rest()}, settings())
    assert got["verdict"] == "degraded"
    assert got["reasons"] == ["RTT avg 611 ms > 300 ms (degraded bound)"]


def test_a_congested_vsat_is_unfit_on_delay_and_jitter():
    got = verdicts.line_check_verdict({**ping("congested_vsat"), **good_rest()}, settings())
    assert got["verdict"] == "unfit"
    assert got["reasons"] == ["RTT avg 1048 ms > 800 ms (unfit bound)", "jitter 115 ms > 75 ms (unfit bound)"]


def test_office_wifi_jitter_alone_degrades_the_line():
    got = verdicts.line_check_verdict({**ping("wifi_jitter"), **good_rest()}, settings())
    assert got["verdict"] == "degraded"
    assert got["reasons"] == ["jitter 38.8 ms > 30 ms (degraded bound)"]
    assert got["checks"]["rtt_ms"] == "good"


def test_a_loaded_line_just_under_the_jitter_bound_is_still_good():
    figures = ping("loaded")  # recorded: RTT 31-318 ms under a download, jitter 29.9 ms
    assert figures["jitter_ms"] == pytest.approx(29.88, abs=0.01)
    assert verdicts.line_check_verdict({**figures, **good_rest()}, settings())["verdict"] == "good"
    assert verdicts.line_check_verdict({**figures, **good_rest()}, settings(jitter_degraded_ms=25))["reasons"] == [
        "jitter 29.9 ms > 25 ms (degraded bound)"
    ]


def test_bufferbloat_recorded_on_the_shaped_line():
    got = verdicts.line_check_verdict({**ping("bufferbloat"), **good_rest()}, settings())
    assert got["verdict"] == "unfit"
    assert got["reasons"] == ["loss 12.5 % > 10 % (unfit bound)", "jitter 42 ms > 30 ms (degraded bound)"]


def test_city_hall_unreachable_is_unfit_and_says_so():
    got = verdicts.line_check_verdict({**ping("unreachable"), **good_rest()}, settings())
    assert got["verdict"] == "unfit"
    assert got["reasons"] == ["203.0.113.10 did not answer: 100 % loss of 5 pings"]
    assert "loss_percent" not in got["checks"]  # no second reason for the same fact


def test_failed_measurements_count_against_the_line():
    errors = [
        "iperf3 down from 203.0.113.10: port 5201: the server is busy running a test. try again later",
        "resolve zavi.me: Temporary failure in name resolution",
        "NTP: no answer (203.0.113.10: timed out)",
    ]
    figures = {**ping("good"), **good_rest(down_mbps=None, dns_ms=None, ntp_offset_ms=None)}
    got = verdicts.line_check_verdict(figures, settings(), errors)
    assert got["verdict"] == "unfit"
    assert got["checks"] == {**got["checks"], "down_mbps": "unfit", "dns_ms": "unfit", "ntp_offset_ms": "degraded"}
    assert got["reasons"][0].startswith("throughput down not measured (iperf3 down from 203.0.113.10: port 5201: the")
    assert got["reasons"][1:] == ["DNS: resolve zavi.me: Temporary failure in name resolution",
                                  "NTP: no answer (203.0.113.10: timed out)"]  # fmt: skip


def test_clock_offset_either_way():
    slow = verdicts.line_check_verdict({"ntp_offset_ms": -2500.0}, settings(latency=False, throughput=False, dns=False))
    assert slow["verdict"] == "degraded" and slow["reasons"] == ["NTP offset -2500 ms beyond ±1000 ms (degraded bound)"]
    off = verdicts.line_check_verdict({"ntp_offset_ms": 400000.0}, settings(latency=False, throughput=False, dns=False))
    assert off["verdict"] == "unfit"


def test_areas_not_measured_are_not_judged():
    got = verdicts.line_check_verdict({"dns_ms": 1.0}, settings(latency=False, throughput=False, ntp=False))
    assert (got["verdict"], got["reasons"], got["checks"]) == ("good", [], {"dns_ms": "good"})
    assert got["thresholds"] == {"dns_ms": {"max": 300}}


def test_the_province_server_is_judged_with_the_same_bounds():
    province = {f"province_{k}": v for k, v in ping("geo_satellite").items()}
    got = verdicts.line_check_verdict({**ping("good"), **good_rest(), **province},
                                      settings(province=True, province_target="meet.province.test"))  # fmt: skip
    assert got["verdict"] == "degraded"
    assert got["reasons"] == ["province RTT avg (meet.province.test) 611 ms > 300 ms (degraded bound)"]


# --- the report, the gate, the CSV ---------------------------------------------------------------------------------
IDENTITY = {"ward": "long_son", "ward_display_name": "Xã Long Sơn", "host": "long_son-room", "target": "203.0.113.10"}


def shaped_report(**over) -> dict:
    figures = {**ping("good"), **good_rest(down_mbps=iperf("shaped_down"), up_mbps=iperf("shaped_up"))}
    return verdicts.line_check_report(figures, settings(**over), [], IDENTITY)


def test_report_shape_for_the_run_record():
    rep = shaped_report()
    assert rep["ward"] == "long_son" and rep["verdict"] == "unfit" and rep["gate"] == "fail" and not rep["waived"]
    assert rep["rtt_ms"] == {"min": 0.045, "avg": 0.091, "max": 0.121}
    assert rep["down_mbps"] == pytest.approx(0.799, abs=0.001)
    assert rep["thresholds"]["rtt_ms"] == {"max": 300, "unfit_max": 800}
    assert rep["details"]["ping_sent"] == 50 and rep["details"]["errors"] == []
    json.dumps(rep)  # plain data: it goes into the run record as JSON


def test_the_waiver_lets_an_unfit_line_pass_its_gate():
    rep = shaped_report(waive_unfit=True)
    assert rep["verdict"] == "unfit" and rep["gate"] == "waived" and rep["waived"]
    good = verdicts.line_check_report({**ping("good"), **good_rest()}, settings(), [], IDENTITY)
    assert good["gate"] == "pass"


def test_gate_message_is_one_line_naming_the_ward_and_the_reason():
    msg = verdicts.line_check_gate_message(shaped_report())
    assert "\n" not in msg
    assert msg.startswith("line_check gate: long_son (Xã Long Sơn) long_son-room line unfit: throughput down 0.8 ")
    assert "line_check_waive_unfit: true in group_vars/long_son.yml" in msg


def test_summary_line_shows_every_figure_or_not_measured():
    rep = shaped_report()
    assert verdicts.line_check_summary(rep).startswith(
        "long_son long_son-room: unfit (RTT 0.09 ms, jitter 0.01 ms, loss 0 %, down 0.8 Mbit/s, up 0.83 Mbit/s, "
        "DNS 0.9 ms, NTP offset 0.02 ms): throughput down 0.8 Mbit/s < 3 Mbit/s"
    )
    assert "loss n/a" in verdicts.line_check_summary({**rep, "loss_percent": None})


def test_csv_is_utf8_with_bom_in_ward_order_with_quoted_reasons():
    ident = {**IDENTITY, "ward": "phuong_1", "ward_display_name": "Phường 1", "host": "phuong_1-room"}
    good = verdicts.line_check_report({**ping("good"), **good_rest()}, settings(), [], ident)
    text = verdicts.line_check_csv([shaped_report(), good], ["city_hall", "phuong_1", "long_son"])
    raw = text.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf") and "Xã Long Sơn".encode() in raw
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r["ward"] for r in rows] == ["phuong_1", "long_son"]
    assert rows[0]["reasons"] == "all figures in the good band" and rows[0]["verdict"] == "good"
    assert rows[1]["down_mbps"] == "0.799" and rows[1]["gate"] == "fail"
    assert rows[1]["reasons"].startswith("throughput down 0.8 Mbit/s < 3 Mbit/s (unfit bound: 2 participants")
    assert list(rows[0]) == list(verdicts.CSV_COLUMNS)


# --- the role's contract -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["line_check", "room_readiness"])
def test_argument_specs_describe_every_default_and_nothing_else(role):
    defaults = set(yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text()))
    spec = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]
    assert set(options) == defaults
    assert all(o.get("description") for o in options.values())
