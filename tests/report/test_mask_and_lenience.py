"""Secret masking line by line, and reports that survive role reports of any shape (or none)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from report_helpers import Clock, frozen, record_run

from wardctl.masking import MASK, clean, mask_line, scrub
from wardctl.record.store import Failure, HostCounts, Store, WaveOutcome
from wardctl.report.endpoints import area_state
from wardctl.report.ward import line_view, summarize_diff


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("+username wardadmin privilege 15 secret 9 $9$abcdefgh", "$9$abcdefgh"),
        ("+enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0"),
        ("+snmp-server community s3cretComm RO 10", "s3cretComm"),
        ("+snmp-server user mon grp v3 auth sha AuthPass1 priv aes 128 PrivPass1", "AuthPass1"),
        ("+snmp-server user mon grp v3 auth sha AuthPass1 priv aes 128 PrivPass1", "PrivPass1"),
        ("+crypto isakmp key IsakmpKey1 address 0.0.0.0", "IsakmpKey1"),
        ("+ntp authentication-key 1 md5 NtpKey1", "NtpKey1"),
        ("+ password 7 0822455D0A16", "0822455D0A16"),
        ("+ password 7 was", " was"),  # after a type digit, any word is the value
        ("+/user add name=admin password=RosPass1 group=full", "RosPass1"),
        ('+/interface wireless security-profiles set wpa2-pre-shared-key="Psk With Space"', "Psk With Space"),
        ("+/snmp community add name=x authentication-password=AuthPw2", "AuthPw2"),
        ('{"vault_router_password": "JsonPw"}', "JsonPw"),
        ("token: Tok3n", "Tok3n"),
        ("https://api.example/x?api_key=K3y&x=1", "K3y"),
    ],
)
def test_mask_line(line, secret) -> None:
    masked = mask_line(line)
    assert secret not in masked and MASK in masked


@pytest.mark.parametrize(
    "line",
    ["+ntp server 203.0.113.10", "+ip ssh version 2", "+key chain MGMT", "-ip http server", "+ip ssh pubkey-chain",
     "+aaa authentication login default local", "interface GigabitEthernet0/1",
     # Ansible's own message (a rollout's failed ward): its words, not a secret.
     "apply: [ERROR]: The vault password file /srv/kit/vault-password was not found",
     "the enable secret is not set, the key for the router was rotated"],
)  # fmt: skip
def test_mask_keeps_ordinary_lines(line) -> None:
    assert mask_line(line) == line


def test_scrub_and_clean() -> None:
    data = {"areas": {"password_policy": "applied"}, "admin_password": "x1", "nested": [{"secret": "s2"}],
            "diff": "a\n+ secret 0 s3", "lynis_index": 80}  # fmt: skip
    out = scrub(data)
    assert out["areas"]["password_policy"] == "applied"
    assert out["admin_password"] == MASK and out["nested"][0]["secret"] == MASK
    assert out["diff"] == f"a\n+ secret 0 {MASK}" and out["lynis_index"] == 80
    assert clean("\x1b[31mred\x1b[0m\x00\x07ok\ttab") == "redok\ttab"


def test_readers_are_lenient() -> None:
    assert summarize_diff(None) is None
    assert summarize_diff(["ntp server 1.2.3.4", "logging host 1.2.3.4"]).added == 2  # pushed lines, no markers
    assert summarize_diff({"prepared": "+a\n-b\n"}).changed_lines == 2
    # Older records' words, and the role's {"state": ...} (an unknown state is worth a look, not "off").
    assert [area_state(v) for v in (True, False, "applied", "failed", {"enabled": True, "applied": False}, "error",
                                    {"state": "compliant"}, {"state": "would_apply"}, {"state": "bogus"})] == [
        "applied", "off", "applied", "failed", "not_applied", "not_applied", "compliant", "would_apply",
        "not_applied"]  # fmt: skip
    # Thresholds under other names and a string figure are read; without the role's judgement nothing is judged.
    line = line_view("h", {"down_mbps": "4,5", "thresholds": {"min_down_mbps": 10, "loss_percent": {"max": 1}},
                           "loss_percent": 0.2, "checks": {"loss_percent": "Good", "down_mbps": "bad"}})  # fmt: skip
    checks = {m.key: m for m in line.metrics}
    assert (checks["down_mbps"].value, checks["down_mbps"].limit, checks["down_mbps"].bound) == (4.5, 10, "min")
    assert checks["down_mbps"].level is None and checks["loss_percent"].level == "good" and line.verdict is None


ODD_REPORTS = {
    "router": "not a mapping",
    "line_check": {"verdict": "excellent", "rtt_ms": "n/a", "thresholds": [1, 2]},
    "room_readiness": {"camera": None, "missing": "camera"},
    "conference_client": {},
    "endpoint_hardening": {"areas": ["firewall"], "lynis_index": "high"},
    "unknown_kind_report": {"x": 1},
}


def test_reports_of_odd_shapes_render_everywhere(cli, scenario, tmp_path, monkeypatch) -> None:
    """Shapes still being settled by other roles: a report never crashes, it says "not measured yet"."""
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path))
    store = Store(tmp_path / "runs.db")
    city = scenario.city
    host_ward = {h: w.id for w in city.wards for h in w.hosts}
    with frozen(Clock(datetime(2021, 6, 2, tzinfo=UTC))):
        record_run(store, Clock(datetime(2021, 6, 2, tzinfo=UTC)), city, "r-odd", [["phuong_1"], ["phuong_5"]], {},
                   stop_after=0)  # fmt: skip
        store.mark_running("r-odd", ["phuong_5"])
        outcome = WaveOutcome(hosts={"phuong_5-router": HostCounts(ok=1), "phuong_5-room": HostCounts(ok=1)})
        for kind, data in ODD_REPORTS.items():
            outcome.reports[("phuong_5-room", kind)] = data
            outcome.reports[("phuong_5-router", kind)] = data
        store.record_wave("r-odd", host_ward, outcome, {"phuong_5": ("done", None, None)})
        # A report row the record cannot even parse.
        store.db.execute("UPDATE reports SET data = '{broken' WHERE host = 'phuong_5-room' AND kind = 'router'")
    store.close()
    for fmt in ("md", "html", "json", "csv"):
        for lang in ("vi", "en"):
            res = cli("report", "phuong_5", "--format", fmt, "--lang", lang)
            assert res.code == 0, (fmt, lang, res.err)
    md = cli("report", "phuong_5", "--lang", "en").out
    assert "cisco_ios (not measured yet)" in md  # the router report was not a mapping
    assert "## Line quality\n\n**Verdict: not measured yet**" in md
    doc = json.loads(cli("report", "phuong_5", "--format", "json").out)
    assert doc["status"] == "done" and doc["router"]["measured"] is False
    for fmt in ("html", "csv", "json"):
        assert cli("report", "--city", "--format", fmt).code == 0
    assert cli("status").code == 0


def test_a_rollout_in_progress_and_markup_in_messages(cli, scenario, tmp_path, monkeypatch) -> None:
    """A ward still running shows as such (contract status pending); recorded text is escaped, never markup."""
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path))
    store = Store(tmp_path / "runs.db")
    host_ward = {h: w.id for w in scenario.city.wards for h in w.hosts}
    clock = Clock(datetime(2021, 6, 4, tzinfo=UTC))
    with frozen(clock):
        record_run(store, clock, scenario.city, "r-live", [["phuong_1"], ["phuong_8", "phuong_9"]], {}, stop_after=0)
        store.resume_run("r-live")
        store.mark_running("r-live", ["phuong_8", "phuong_9"])
        failure = Failure("phuong_9-room", "<b>task</b>", "<script>alert(1)</script>")
        outcome = WaveOutcome(hosts={"phuong_9-room": HostCounts(failed=1)}, failures=[failure])
        store.record_wave("r-live", host_ward, outcome, {"phuong_9": ("failed", None, "<img src=x>")})
    store.close()
    table = cli("status").out
    assert "Running" in next(line for line in table.splitlines() if line.startswith("phuong_8 "))
    doc = json.loads(cli("report", "phuong_8", "--format", "json").out)
    assert doc["status"] == "pending" and doc["record_status"] == "running"
    assert [s["code"] for s in doc["next_steps"]] == ["running"]
    for page in (cli("report", "phuong_9", "--format", "html").out, cli("report", "--city").out):
        assert "<script>alert" not in page and "<img src=x>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    res = cli("report", "phuong_10")
    assert res.code == 1 and res.err == "wardctl: ward 'phuong_10' has not been rolled out yet: no run records it\n"
