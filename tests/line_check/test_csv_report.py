"""wardkit.core.csv_report, which writes verify.yml's city-wide reports: a run over some wards replaces their rooms'
rows and keeps the rest, drops rooms gone from the inventory, refuses a file that is not such a report, waits for
a run writing at the same time; the merge as a function, then the module through the real ansible-playbook."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, VENV_BIN, load_module, run

MODULE = ROOT / "collections/ansible_collections/wardkit/core/plugins/modules/csv_report.py"
csv_report = load_module("csv_report", MODULE)
WARDS = ["phuong_1", "phuong_2", "thang_nhat", "long_son"]
HEADER = "ward,ward_display_name,host,verdict"


def content(*rows: str, header: str = HEADER) -> str:
    return "\ufeff" + "\r\n".join([header, *rows]) + "\r\n"


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff") and "\r\n" in text  # Excel's UTF-8 mark, the CSV's CRLF lines
    return list(csv.DictReader(text.removeprefix("\ufeff").splitlines()))


def merge(existing: str | None, new: str, keep: list[str], stamp: str = "2026-12-06 10:00:00") -> tuple[str, Any, Any]:
    return csv_report.merge(existing, new, key="host", keep=keep, order_column="ward", order=WARDS,
                            stamp_column="written_utc", stamp=stamp, path="reports/line_quality.csv")  # fmt: skip


def test_a_run_replaces_its_rooms_rows_and_keeps_the_others_rows_with_their_time() -> None:
    keep = ["phuong_1-room", "phuong_2-room", "thang_nhat-room", "long_son-room"]
    first, written, _ = merge(None, content("long_son,Xã Long Sơn,long_son-room,unfit",
                                            "phuong_1,Phường 1,phuong_1-room,good"), keep)  # fmt: skip
    assert written == ["long_son-room", "phuong_1-room"]
    second, written, dropped = merge(first, content("phuong_2,Phường 2,phuong_2-room,good",
                                                    "long_son,Xã Long Sơn,long_son-room,degraded"),
                                     keep, stamp="2026-12-07 09:30:00")  # fmt: skip
    assert (written, dropped) == (["phuong_2-room", "long_son-room"], [])
    rows = rows_of(second)
    assert [(r["host"], r["verdict"], r["written_utc"]) for r in rows] == [  # the city's ward order
        ("phuong_1-room", "good", "2026-12-06 10:00:00"),  # kept as the first run wrote it
        ("phuong_2-room", "good", "2026-12-07 09:30:00"),
        ("long_son-room", "degraded", "2026-12-07 09:30:00"),  # replaced, not added twice
    ]
    assert rows[2]["ward_display_name"] == "Xã Long Sơn"


def test_a_room_gone_from_the_inventory_loses_its_row() -> None:
    first, _, _ = merge(None, content("phuong_1,P1,phuong_1-room,good", "phuong_2,P2,phuong_2-room,good"),
                        ["phuong_1-room", "phuong_2-room"])  # fmt: skip
    second, _, dropped = merge(first, content("phuong_1,P1,phuong_1-room,degraded"), ["phuong_1-room"])
    assert dropped == ["phuong_2-room"]
    assert [r["host"] for r in rows_of(second)] == ["phuong_1-room"]


def test_a_column_added_to_the_report_is_empty_in_the_kept_rows() -> None:
    first, _, _ = merge(None, content("phuong_1,P1,phuong_1-room,good"), ["phuong_1-room", "phuong_2-room"])
    wider = HEADER + ",gate"
    second, _, _ = merge(first, content("phuong_2,P2,phuong_2-room,good,pass", header=wider),
                         ["phuong_1-room", "phuong_2-room"])  # fmt: skip
    kept, new = rows_of(second)
    assert (kept["gate"], new["gate"]) == ("", "pass")
    assert second.removeprefix("\ufeff").splitlines()[0] == wider + ",written_utc"


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text() -> None:
    """Ward names come from people (the inventory): `=HYPERLINK(...)` must show as text, not run in Excel."""
    header = "ward,ward_display_name,host,ntp_offset_ms,reasons"
    evil = '=HYPERLINK("http://example.invalid","Phường 1")'
    keep = ["phuong_1-room", "@room"]
    first, _, _ = merge(None, content(f'phuong_1,"{evil.replace(chr(34), chr(34) * 2)}",phuong_1-room,-0.35,+ok',
                                      "phuong_2,P2,@room,12,-", header=header), keep)  # fmt: skip
    rows = {r["host"]: r for r in rows_of(first)}
    assert rows["phuong_1-room"]["ward_display_name"] == "'" + evil
    assert rows["phuong_1-room"]["ntp_offset_ms"] == "-0.35" and rows["phuong_1-room"]["reasons"] == "'+ok"
    assert "'@room" in rows and rows["'@room"]["reasons"] == "'-"  # a lone dash is text too
    # Merged again: escaped once, and the host written with its mark is the same row, not a second one.
    second, _, dropped = merge(first, content("phuong_2,P2,@room,13,fine", header=header), keep)
    rows = {r["host"]: r for r in rows_of(second)}
    assert sorted(rows) == ["'@room", "phuong_1-room"] and dropped == []
    assert rows["phuong_1-room"]["ward_display_name"] == "'" + evil and rows["'@room"]["ntp_offset_ms"] == "13"


def test_a_dropped_host_is_named_as_the_inventory_spells_it() -> None:
    first, _, _ = merge(None, content("phuong_1,P1,=odd,good", "phuong_2,P2,-odd,good"), ["=odd", "-odd"])
    assert [r["host"] for r in rows_of(first)] == ["'=odd", "'-odd"]
    # both gone from the inventory; one of them measured again by this run (so written, not dropped)
    _, written, dropped = merge(first, content("phuong_2,P2,-odd,good"), [])
    assert (written, dropped) == (["-odd"], ["=odd"])


def test_a_file_that_is_not_such_a_report_is_refused_naming_it() -> None:
    with pytest.raises(csv_report.ReportError, match=r"^reports/line_quality.csv: no 'host' column .*move it away"):
        merge("name,amount\r\nchairs,4\r\n", content("phuong_1,P1,phuong_1-room,good"), ["phuong_1-room"])
    with pytest.raises(csv_report.ReportError, match=r"^content: no 'host' column"):
        merge(None, "ward,verdict\r\nphuong_1,good\r\n", ["phuong_1-room"])


# --- the module, through ansible-playbook on this machine --------------------------------------------------------


def _play(tmp_path: Path, rows: list[str], keep: list[str]) -> Path:
    play = tmp_path / f"play-{len(list(tmp_path.glob('play-*')))}.yml"
    play.write_text(json.dumps([{"name": "csv_report test", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "Write the report", "wardkit.core.csv_report": {
            "path": str(tmp_path / "out" / "line_quality.csv"), "content": content(*rows), "keep": keep,
            "order": WARDS}}]}]))  # fmt: skip
    return play


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
                ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"))  # fmt: skip


def _cmd(play: Path, *extra: str) -> list[str]:
    return [str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(play), *extra]


def test_the_module_merges_shows_its_diff_in_check_mode_and_refuses_a_foreign_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    keep = ["phuong_1-room", "phuong_2-room"]
    run(_cmd(_play(tmp_path, ["phuong_2,P2,phuong_2-room,good"], keep)), env=_env(tmp_path), timeout=120)
    run(_cmd(_play(tmp_path, ["phuong_1,P1,phuong_1-room,good"], keep)), env=_env(tmp_path), timeout=120)
    report = out / "line_quality.csv"
    assert [r["host"] for r in rows_of(report.read_bytes().decode("utf-8"))] == keep
    assert oct(report.stat().st_mode & 0o777) == "0o644" and sorted(p.name for p in out.iterdir()) == [report.name]

    before = report.read_bytes()
    check = run(_cmd(_play(tmp_path, ["phuong_1,P1,phuong_1-room,unfit"], keep), "--check", "--diff"),
                env=_env(tmp_path), timeout=120)  # fmt: skip
    assert "-phuong_1,P1,phuong_1-room,good," in check.stdout and "+phuong_1,P1,phuong_1-room,unfit," in check.stdout
    assert "changed=1" in check.stdout and report.read_bytes() == before

    foreign = b"name,amount\r\nchairs,4\r\n"  # someone's own sheet saved under the report's name
    report.write_bytes(foreign)
    refused = run(_cmd(_play(tmp_path, ["phuong_1,P1,phuong_1-room,good"], keep)), env=_env(tmp_path),
                  timeout=120, check=False)  # fmt: skip
    assert refused.returncode == 2 and f"{report}: no 'host' column" in refused.stdout, refused.stdout[-2000:]
    assert report.read_bytes() == foreign


def _holds(pid: int, directory: Path) -> bool:
    """Whether `pid` or one of its descendants has `directory` open (the module, at its lock)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if int(proc.name) != pid and str(pid) not in _ancestors(proc):
                continue
            if any(os.readlink(fd) == str(directory) for fd in (proc / "fd").iterdir()):
                return True
        except OSError:  # gone meanwhile
            continue
    return False


def _ancestors(proc: Path) -> list[str]:
    chain: list[str] = []
    while proc.name not in ("0", "1") and len(chain) < 20:
        ppid = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
        chain.append(ppid)
        proc = Path("/proc") / ppid
    return chain


def test_a_run_waits_while_another_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    play = _play(tmp_path, ["phuong_1,P1,phuong_1-room,good"], ["phuong_1-room"])
    lock = os.open(out, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)  # as a run in the middle of its write holds it
    proc = subprocess.Popen(_cmd(play), env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _holds(proc.pid, out):
            if proc.poll() is not None:
                pytest.fail("the run did not wait for the lock: " + (proc.stdout.read() if proc.stdout else ""))
            assert time.monotonic() < deadline, "the module never reached the report's directory"
            time.sleep(0.05)
        time.sleep(0.5)
        assert proc.poll() is None and not (out / "line_quality.csv").exists()  # waiting, nothing written
    finally:
        os.close(lock)
    stdout, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, stdout[-2000:]
    assert [r["host"] for r in rows_of((out / "line_quality.csv").read_bytes().decode("utf-8"))] == [
        "phuong_1-room"]  # fmt: skip
