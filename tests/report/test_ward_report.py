"""`wardctl report WARD`: every format and language says the right things, and the JSON keeps its contract."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from report_helpers import SECRETS

from wardctl.masking import scrub
from wardctl.record.store import Store

RUN1, RUN2, RUN3 = "20210610T013000Z-aaaa", "20210618T020000Z-bbbb", "20210625T030000Z-cccc"
FORMATS = ("md", "html", "json", "csv")
LANGS = ("vi", "en")

# What each language calls the sections and statuses the tests look for.
WORDS = {
    "vi": {"next": "Việc cần làm tiếp", "failed": "Lỗi", "client": "Phần mềm họp", "not_in": "chưa đo"},
    "en": {"next": "What to do next", "failed": "Failed", "client": "Meeting client", "not_in": "not measured yet"},
}


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff"), "CSV must start with a BOM so Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


class _Text(HTMLParser):
    """The visible text of a page (tags dropped, entities decoded), to check what a reader sees."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_ward_every_format(state, cli, fmt, lang) -> None:
    res = cli("report", "phuong_3", "--format", fmt, "--lang", lang)
    assert res.code == 0, res.err
    text = res.out
    words = WORDS[lang]
    if fmt == "json":
        doc = json.loads(text)
        assert doc["ward"] == "phuong_3" and doc["display_name"] == "Phường 3" and doc["status"] == "failed"
        assert doc["failures"][0]["task"] == "conference_client : Install the meeting client"
        assert doc["router"]["diff"]["added"] == 10 and doc["router"]["diff"]["removed"] == 1
        # The room failed installing the client: neither endpoint role published its facts.
        assert doc["endpoints"][0]["client"] is None and doc["endpoints"][0]["hardening"] is None
        assert doc["next_steps"][0]["code"] == "failed_task"
        assert doc["lang"] == lang
        return
    if fmt == "csv":
        rows = csv_rows(text)
        header = list(rows[0])
        assert header[0] == ("Mã đơn vị" if lang == "vi" else "ward")
        values = [list(r.values()) for r in rows]
        sections = {v[3] for v in values}
        assert {"ward", "router", "endpoint", "line", "room", "failure", "next"} <= sections
        assert all(v[1] == "Phường 3" for v in values)
        failure = next(v for v in values if v[3] == "failure")
        assert failure[4:6] == ["phuong_3-room", "conference_client : Install the meeting client"]
        assert any(v[5] == "client_version" and v[6] == "" and v[8] == words["not_in"] for v in values)
        assert any(v[5] == "down_mbps" and v[6] == "38.5" and v[7] == ">=3.75" for v in values)
        return
    if fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text
        assert f'<html lang="{lang}">' in text
        text = visible(text)
    for expected in ("Phường 3", words["next"], words["failed"], words["client"], "phuong_3-room",
                     "conference_client : Install the meeting client", words["not_in"], "ISR4321 / 17.3.4a",
                     "backups/phuong_x-router/2021-06-10T01:31:00Z.cfg", "+ntp server 203.0.113.10",
                     "Phạm Quốc Dũng", RUN1):  # fmt: skip
        assert expected in text, (fmt, lang, expected)
    assert ("thêm 10 dòng, bỏ 1 dòng" if lang == "vi" else "10 lines added, 1 removed") in text
    assert ("38,5 Mbit/s" if lang == "vi" else "38.5 Mbit/s") in text  # Vietnamese writes a decimal comma
    # The role's bounds: the good band, then where unfit begins.
    assert ("≥ 3,75 Mbit/s; không đạt < 3 Mbit/s" if lang == "vi" else "≥ 3.75 Mbit/s; unfit < 3 Mbit/s") in text
    assert "wardctl rollout --resume " + RUN1 in text  # what to do: fix, then resume


def test_json_contract(state, cli, scenario) -> None:
    """The stable keys and types of docs/rollout.md, for every ward of the city."""
    statuses = {}
    for ward in scenario.city.wards:
        doc = json.loads(cli("report", ward.id, "--format", "json").out)
        assert isinstance(doc["ward"], str) and doc["ward"] == ward.id
        assert isinstance(doc["display_name"], str) and doc["display_name"] == ward.display_name
        assert doc["status"] in ("done", "failed", "unreachable", "pending")
        assert isinstance(doc["run_id"], str)
        assert doc["finished_at"] is None or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["finished_at"])
        assert isinstance(doc["hosts"], list) and doc["hosts"]
        for host in doc["hosts"]:
            assert isinstance(host["name"], str)
            for key in ("ok", "changed", "failed", "unreachable"):
                assert isinstance(host[key], int) and not isinstance(host[key], bool)
        assert isinstance(doc["failures"], list)
        for failure in doc["failures"]:
            assert {"host", "task", "message"} <= set(failure) and all(
                isinstance(failure[k], str) for k in ("host", "task", "message")
            )
        statuses[ward.id] = doc["status"]
    assert statuses.pop("phuong_3") == "failed"
    assert statuses.pop("long_son") == "unreachable"
    assert set(statuses.values()) == {"done"}


def test_pending_ward_of_a_stopped_run(state, cli) -> None:
    doc = json.loads(cli("report", "phuong_7", "--run", RUN1, "--format", "json").out)
    assert doc["status"] == "pending" and doc["finished_at"] is None and doc["hosts"] == []
    assert [s["code"] for s in doc["next_steps"]] == ["pending"]
    md = cli("report", "phuong_7", "--run", RUN1, "--lang", "en").out
    assert "Not rolled out yet in run " + RUN1 in md
    assert "not measured yet" in md


def test_latest_attempt_is_the_default(state, cli) -> None:
    """Without --run a ward shows its latest apply attempt: run 2 for phuong_7, not run 1's pending."""
    doc = json.loads(cli("report", "phuong_7", "--format", "json").out)
    assert doc["run_id"] == RUN2 and doc["status"] == "done"
    # A later dry run does not replace what is deployed…
    assert json.loads(cli("report", "phuong_4", "--format", "json").out)["run_id"] == RUN1
    # …but can be asked for, and says it changed nothing.
    dry = json.loads(cli("report", "phuong_4", "--run", RUN3, "--format", "json").out)
    assert dry["check_mode"] is True and dry["changed"] > 0
    assert dry["next_steps"][-1]["code"] == "dry_run_changes"
    md = cli("report", "phuong_4", "--run", RUN3).out
    assert "Chạy thử (--check): chưa thay đổi gì trên thiết bị" in md


def test_unreachable_ward_says_what_to_check_and_whom_to_call(state, cli) -> None:
    md = cli("report", "long_son").out
    assert "# Báo cáo triển khai — Xã Long Sơn" in md
    step = next(line for line in md.splitlines() if line.startswith("1. "))
    assert "long_son-router (198.51.100.36)" in step  # the address from the inventory
    assert "kiểm tra nguồn điện, dây mạng và đường Internet" in step
    assert "Nguyễn Văn An, 0254 000 0001" in step  # city hall's technician
    en = cli("report", "long_son", "--lang", "en").out
    assert "check its power, its cable and the Internet line" in en


def test_unfit_line_calls_the_isp_with_figures(state, cli) -> None:
    md = cli("report", "thang_tam").out
    step = next(line for line in md.splitlines() if "Gọi nhà mạng" in line)
    # The measured figures, the bound each crossed, and what the contract promised: what the ISP is told.
    assert "Mất gói 3% (cần ≤ 1)" in step
    assert "Tốc độ tải xuống 0,9 Mbit/s (cần ≥ 3, hợp đồng 10 Mbit/s)" in step
    assert "| Mất gói | 3% | ≤ 1%; không đạt > 10% | Chưa tốt |" in md
    assert "| Tốc độ tải xuống | 0,9 Mbit/s | ≥ 3,75 Mbit/s; không đạt < 3 Mbit/s | Không đạt |" in md
    assert "_Được miễn trừ: đường truyền không đạt nhưng không chặn việc triển khai._" in md
    en = cli("report", "thang_tam", "--lang", "en").out
    assert "Call the ISP" in en and "Download 0.9 Mbit/s (needs ≥ 3, contract 10 Mbit/s)" in en


def test_missing_camera_asks_for_procurement(state, cli) -> None:
    md = cli("report", "phuong_2").out
    # What the finance office buys, in Vietnamese (the role's default wording, translated by the item's id)…
    assert "Đề xuất mua sắm cho phòng họp (phuong_2-room): Camera hội nghị (USB UVC, 1080p, góc rộng)." in md
    assert "**Cần mua:** Camera" in md
    assert "| Camera | Thiếu |" in md
    doc = json.loads(cli("report", "phuong_2", "--format", "json").out)
    assert doc["room"][0]["missing"] == ["camera"]
    assert doc["room"][0]["to_buy"] == ["Camera hội nghị (USB UVC, 1080p, góc rộng)"]
    assert doc["line_verdict"] == "degraded"
    # …and the role's own words in English.
    en = cli("report", "phuong_2", "--lang", "en").out
    assert "(phuong_2-room): Conference camera (USB UVC, 1080p, wide angle)." in en


def test_hardening_and_client_details(state, cli) -> None:
    md = cli("report", "phuong_1", "--lang", "en").out
    row = next(line for line in md.splitlines() if line.startswith("| `phuong_1-room`"))
    assert ("zavi-meeting 3.2.1 (installed) — from http://203.0.113.10/mirror/zavi/zavi-meeting_3.2.1_amd64.deb · "
            "checksum verified · starts on its own") in row  # fmt: skip
    assert "| 15/15 areas applied |" in row  # applied now or already compliant, of the 15 switched on
    assert "- Applied (4): SSH, Firewall, Audit log (auditd), Kernel parameters (sysctl)" in md
    assert "- Already compliant (11): Automatic updates, Time sync," in md and "- Off (1): USB storage" in md
    doc = json.loads(cli("report", "phuong_1", "--format", "json").out)
    client, hardening = doc["endpoints"][0]["client"], doc["endpoints"][0]["hardening"]
    assert client["state"] == "installed" and client["checksum_verified"] is True and client["autostart"] is True
    assert client["source"].startswith("http://203.0.113.10/") and client["checksum"].startswith("sha256:")
    assert hardening["areas"]["usb_storage"] == "off" and hardening["areas"]["firewall"] == "applied"
    assert hardening["areas"]["banner"] == "compliant" and hardening["failed"] == []
    assert hardening["counts"] == {"failed": 0, "would_apply": 0, "not_run": 0, "applied": 4, "compliant": 11,
                                   "off": 1}  # fmt: skip
    assert (hardening["applied"], hardening["enabled"]) == (15, 15)
    rows = csv_rows(cli("report", "phuong_1", "--format", "csv", "--lang", "en").out)
    areas = {r["check"]: r for r in rows if r["section"] == "hardening"}
    assert len(areas) == 16 and areas["ssh"]["value"] == "applied" and areas["banner"]["result"] == "Already compliant"
    checks = {r["check"]: r["value"] for r in rows if r["section"] == "endpoint"}
    assert checks["client_checksum_verified"] == "true" and checks["client_autostart"] == "true"


def test_client_removed_and_older_records(state, cli) -> None:
    """A client removed is a next step naming the host; a record without the facts says not measured."""
    doc = json.loads(cli("report", "rach_dua", "--format", "json", "--lang", "en").out)
    step = next(s for s in doc["next_steps"] if s["code"] == "client_missing")
    assert step["params"]["host"] == "rach_dua-room" and "rach_dua-room" in step["text"] and "removed" in step["text"]
    md = cli("report", "nguyen_an_ninh").out
    row = next(line for line in md.splitlines() if line.startswith("| `nguyen_an_ninh-room`"))
    assert row.count("chưa đo") == 2
    old = json.loads(cli("report", "nguyen_an_ninh", "--format", "json").out)
    assert old["endpoints"][0]["client"] is None and old["endpoints"][0]["hardening"] is None
    assert not any(s["code"].startswith(("client", "hardening")) for s in old["next_steps"])


def test_dry_run_says_what_would_be_installed_and_applied(state, cli) -> None:
    doc = json.loads(cli("report", "phuong_4", "--run", RUN3, "--format", "json", "--lang", "en").out)
    ep = doc["endpoints"][0]
    assert ep["client"]["state"] == "would_install" and ep["client"]["check_mode"] is True
    assert ep["platform"] == "windows"  # phuong_4's room runs Windows
    assert ep["hardening"]["counts"]["would_apply"] == 2 and ep["hardening"]["check_mode"] is True
    assert "client_would_install" in [s["code"] for s in doc["next_steps"]]
    md = cli("report", "phuong_4", "--run", RUN3, "--lang", "en").out
    assert "- Would apply (2): Windows firewall, SMB file sharing (Windows)" in md
    assert "zavi-meeting (would be installed)" in md and "Dry run (--check)" in md


def test_output_file(state, cli, tmp_path) -> None:
    target = tmp_path / "out" / "phuong_1.html"
    res = cli("report", "phuong_1", "--format", "html", "-o", str(target))
    assert res.code == 0 and res.raw == b"" and f"wrote {target}" in res.err
    html = target.read_text(encoding="utf-8")
    assert "Phường 1" in html and "<script" not in html


def test_html_is_self_contained(state, cli) -> None:
    html = cli("report", "phuong_3", "--format", "html").out
    for external in ("<script", "<link", "src=", "href=", "url(", "@import", "http://", "https://"):
        assert external not in html, external
    assert '<meta name="viewport"' in html and "@media (max-width: 640px)" in html


def test_city_hall_lists_every_leader_pc(state, cli) -> None:
    doc = json.loads(cli("report", "city_hall", "--format", "json").out)
    roles = [e["role"] for e in doc["endpoints"]]
    assert roles.count("leader_pc") == 12 and "city_services" in roles and "meeting_room" in roles
    assert doc["technician"] == "Nguyễn Văn An, 0254 000 0001"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_any_ward_format(state, cli, scenario, fmt, lang) -> None:
    for ward in ("phuong_1", "phuong_3", "long_son", "city_hall"):
        text = cli("report", ward, "--format", fmt, "--lang", lang).out
        for secret in SECRETS:
            assert secret not in text, (ward, fmt, lang, secret)
    assert "secret 0 ********" in cli("report", "phuong_1", "--format", fmt, "--lang", lang).out


def test_contract_matches_the_store(state, cli, scenario) -> None:
    """The report's JSON carries Store.ward_json's contract unchanged (masked), key for key."""
    store = Store(state / "runs.db")
    try:
        for ward in ("phuong_1", "phuong_3", "long_son", "city_hall"):
            doc = json.loads(cli("report", ward, "--format", "json").out)
            expected = scrub(store.ward_json(doc["run_id"], ward))
            assert {k: doc[k] for k in expected} == expected
        pending = json.loads(cli("report", "phuong_7", "--run", RUN1, "--format", "json").out)
        expected = scrub(store.ward_json(RUN1, "phuong_7"))
        assert {k: pending[k] for k in expected} == expected
    finally:
        store.close()
