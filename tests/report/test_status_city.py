"""`wardctl status` and `wardctl report --city`: the city table, counts, the chart, CSV/JSON, errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
from report_helpers import PRODUCTION, ROOT, SECRETS, city_inventory
from support import VENV_BIN

RUN1 = "20210610T013000Z-aaaa"


def test_status_table(state, cli, scenario) -> None:
    res = cli("status")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0].split()[:3] == ["Ward", "Name", "Status"]
    for ward in scenario.city.wards:
        row = next(line for line in lines if line.startswith(ward.id + " "))
        assert ward.display_name in row
    assert "Xã Long Sơn" in res.out and "Phường Thắng Tam" in res.out
    row = next(line for line in lines if line.startswith("phuong_3 "))
    assert "Failed" in row and "0/1" in row and "ISR4321 / 17.3.4a" in row and "+10 -1" in row
    row = next(line for line in lines if line.startswith("long_son "))
    assert "Unreachable" in row and "mikrotik_routeros (not measured yet)" in row
    assert "Unfit" in next(line for line in lines if line.startswith("thang_tam "))
    assert lines[-1] == ("Thành phố Vũng Tàu: 16 of 18 wards ready (16 done, 1 failed, 1 unreachable, 0 pending) "
                         "— Each ward as of its latest rollout")  # fmt: skip
    # Columns line up although the names carry diacritics.
    status_col = lines[0].index("Status")
    assert all(line[status_col - 2 : status_col] == "  " for line in lines[1:19])


def test_status_of_one_run_and_json(state, cli) -> None:
    res = cli("status", RUN1, "--lang", "vi")
    assert "6/18 đơn vị sẵn sàng (6 hoàn thành, 1 lỗi, 1 không kết nối được, 10 chưa triển khai)" in res.out
    doc = json.loads(cli("status", "--json").out)
    assert doc["counts"] == {"done": 16, "failed": 1, "unreachable": 1, "pending": 0, "total": 18}
    assert doc["view"] == "latest" and doc["run_id"] is None
    by_ward = {w["ward"]: w for w in doc["wards"]}
    assert by_ward["phuong_3"]["status"] == "failed" and by_ward["phuong_3"]["failures"] == 1
    assert by_ward["thang_tam"]["line_verdict"] == "unfit"
    assert by_ward["phuong_2"]["missing_devices"] == ["camera"]
    assert by_ward["city_hall"]["endpoints"] == {"ok": 14, "total": 14}
    assert by_ward["phuong_1"]["router"]["changed_lines"] == 11
    assert by_ward["phuong_4"]["run_id"] == RUN1  # the later dry run does not count as deployed
    one = json.loads(cli("status", RUN1, "--json").out)
    assert one["view"] == "run" and one["counts"]["pending"] == 10


def test_no_rollout_yet(cli, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path / "state"))
    res = cli("status", "-i", str(PRODUCTION))
    assert res.code == 0
    assert res.out.splitlines()[0] == "no rollout recorded yet; run `wardctl rollout`"
    assert "0 of 18 wards ready (0 done, 0 failed, 0 unreachable, 18 pending)" in res.out
    assert not (tmp_path / "state").exists(), "reading must not create the state directory"
    assert json.loads(cli("status", "--json", "-i", str(PRODUCTION)).out)["counts"]["pending"] == 18
    res = cli("report", "phuong_1")
    assert res.code == 1 and res.err == "wardctl: no report for ward 'phuong_1': no rollout recorded yet; run " \
        "`wardctl rollout`\n"  # fmt: skip
    page = cli("report", "--city", "-i", str(PRODUCTION)).out
    assert "Chưa có lần triển khai nào" in page and "Chưa có đơn vị nào hoàn thành" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "phuong_99"), "wardctl: unknown ward 'phuong_99' (known: city_hall, phuong_1,"),
        (("report", "phuong_1", "--run", "nope"), "wardctl: unknown run 'nope' (latest: 20210625T030000Z-cccc,"),
        (("report", "phuong_7", "--run", "20210625T030000Z-cccc"),
         "wardctl: ward 'phuong_7' is not in run '20210625T030000Z-cccc'"),
        (("status", "nope"), "wardctl: unknown run 'nope'"),
        (("report", "--city", "--run", "nope"), "wardctl: unknown run 'nope'"),
        (("report",), "wardctl: report: name one WARD, or --city for the dashboard"),
        (("report", "phuong_1", "--city"), "wardctl: report: name one WARD, or --city"),
        (("report", "--city", "--format", "md"), "wardctl: report --city: format 'md' not available"),
        (("report", "--city", "--deadline", "30/06/2021"), "wardctl: --deadline: '30/06/2021' is not a date"),
        (("report", "phuong_1", "-i", "/nonexistent"), "wardctl: inventory /nonexistent is not a directory"),
    ],
)  # fmt: skip
def test_errors_are_one_line(state, cli, args, message) -> None:
    res = cli(*args)
    assert res.code == 1 and res.raw == b""
    assert res.err.startswith(message) and res.err.count("\n") == 1, res.err


def test_errors_through_the_console_script(state) -> None:
    """The installed `wardctl` prints one line and exits 1: no traceback reaches a technician."""
    proc = subprocess.run([str(VENV_BIN / "wardctl"), "report", "phuong_99", "--format", "html"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("wardctl: unknown ward 'phuong_99'") and "Traceback" not in proc.stderr


def test_city_html(state, cli) -> None:
    page = cli("report", "--city").out
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    assert "Tiến độ triển khai họp trực tuyến — Thành phố Vũng Tàu" in page
    for status, count in (("done", 16), ("failed", 1), ("unreachable", 1), ("pending", 0)):
        assert f'data-status="{status}">{count}<' in page
    assert page.count('<tr id="ward-') == 18
    assert "Phường Nguyễn An Ninh" in page and "Xã Long Sơn" in page
    assert '<svg class="chart"' in page and 'class="ready"' in page and 'class="deadline"' in page
    assert "Hạn hoàn thành 30/06/2021" in page  # the inventory's city_rollout_deadline
    assert "16/18" in page
    # What holds phuong_3 back is its failed task, masked.
    assert "phuong_3-room: conference_client : Install the meeting client: No package matching" in page
    for external in ("<script", "<link", "src=", "href=", "url(", "http://", "https://"):
        assert external not in page, external


def test_city_deadline_option_and_inventory_var(state, cli, tmp_path) -> None:
    page = cli("report", "--city", "--deadline", "2021-06-20", "--lang", "en").out
    assert "Deadline 2021-06-20" in page
    page = cli("report", "--city", "-i", str(city_inventory(tmp_path / "vungtau", "2021-06-15"))).out
    assert "Hạn hoàn thành 15/06/2021" in page


def test_a_city_without_a_deadline(state, cli, tmp_path) -> None:
    """The kit assumes no deadline: an inventory without city_rollout_deadline gets a page without one."""
    city = tmp_path / "city"
    shutil.copytree(PRODUCTION, city)
    city_yml = city / "group_vars/all/city.yml"
    kept = [ln for ln in city_yml.read_text().splitlines(keepends=True) if not ln.startswith("city_rollout_deadline")]
    city_yml.write_text("".join(kept))
    page = cli("report", "--city", "-i", str(city), "--lang", "en").out
    assert "Deadline: <b>not set</b>" in page and "days left" not in page and "overdue" not in page
    assert '<svg class="chart"' in page and 'class="ready"' in page
    assert 'class="deadline"' not in page and 'class="pace"' not in page
    doc = json.loads(cli("report", "--city", "--format", "json", "-i", str(city)).out)
    assert doc["deadline"] is None and doc["counts"]["total"] == 18


def test_city_csv(state, cli) -> None:
    text = cli("report", "--city", "--format", "csv").out
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Trạng thái"] and len(rows) == 19
    by_ward = {r[0]: r for r in rows[1:]}
    assert by_ward["long_son"][1:3] == ["Xã Long Sơn", "Không kết nối được"]
    assert by_ward["city_hall"][7:11] == ["13", "13", "102", "102"]  # no client on the services host
    assert by_ward["nguyen_an_ninh"][7:11] == ["", "", "", ""]  # an older record: not measured
    assert by_ward["thang_tam"][11:15] == ["Không đạt", "0.9", "12.2", "3"]
    assert by_ward["phuong_2"][15] == "Camera"
    en = list(csv.DictReader(io.StringIO(cli("report", "--city", "--format", "csv", "--lang", "en").out[1:])))
    assert {r["status"] for r in en} == {"Done", "Failed", "Unreachable"}
    assert next(r for r in en if r["ward"] == "phuong_1")["ready_since"] == "2021-06-10 08:35 (UTC+7)"
    assert next(r for r in en if r["ward"] == "rach_dua")["client_installed"] == "0"


def test_city_json_timeline(state, cli) -> None:
    doc = json.loads(cli("report", "--city", "--format", "json").out)
    assert doc["deadline"] == "2021-06-30" and doc["counts"]["total"] == 18
    steps = [point["ready"] for point in doc["timeline"]]
    assert steps == list(range(1, 17))  # cumulative, one step per ward that became ready
    stamps = [point["at"] for point in doc["timeline"]]
    assert stamps == sorted(stamps) and stamps[0] == "2021-06-10T01:35:00Z"


def test_no_secret_in_city_outputs(state, cli, tmp_path) -> None:
    outputs = [cli("report", "--city", "--format", f, "--lang", lang).out for f in ("html", "csv", "json")
               for lang in ("vi", "en")] + [cli("status").out, cli("status", "--json").out]  # fmt: skip
    for text in outputs:
        for secret in SECRETS:
            assert secret not in text


def test_latest_names_the_most_recent_run(state, cli) -> None:
    """`latest` is the last run whatever its kind: CI reads back the dry run it just made."""
    doc = json.loads(cli("status", "latest", "--json").out)
    assert doc["view"] == "run" and doc["run_id"] == "20210625T030000Z-cccc" and doc["counts"]["total"] == 1
    ward = json.loads(cli("report", "phuong_4", "--run", "latest", "--format", "json").out)
    assert ward["run_id"] == "20210625T030000Z-cccc" and ward["check_mode"] is True


def test_chart_when_the_deadline_passed_before_the_first_run(state, cli) -> None:
    """A deadline before the first run stays off the time axis (said in words), so the runs keep their width."""
    page = cli("report", "--city", "--deadline", "2021-05-01", "--lang", "en").out
    assert "Deadline 2021-05-01 (passed before the first run)" in page
    assert 'class="pace"' not in page and '<line class="deadline"' not in page
    assert ">06-11<" in page  # the axis still runs over June's rollout
