"""write_junit: one test case per ward, counts that match the elements, the common JUnit structure."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from report_helpers import SECRETS, Clock, frozen, record_run

from wardctl.record.store import Failure, Store, WaveOutcome
from wardctl.report.junit import write_junit

RUN1, RUN2, RUN3 = "20210610T013000Z-aaaa", "20210618T020000Z-bbbb", "20210625T030000Z-cccc"
CASE_CHILDREN = {"failure", "error", "skipped", "system-out", "system-err"}


def parse(path) -> tuple[ET.Element, ET.Element]:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return root, suite


def check_counts(root: ET.Element, suite: ET.Element) -> list[ET.Element]:
    """The schema's arithmetic: tests/failures/errors/skipped attributes equal what the elements say."""
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    assert int(suite.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
    assert int(suite.get("skipped")) == sum(1 for c in cases if c.find("skipped") is not None)
    for key in ("tests", "failures", "errors", "skipped"):
        assert root.get(key) == suite.get(key)
    float(suite.get("time"))
    for case in cases:
        assert case.get("classname") and case.get("name")
        float(case.get("time"))
        assert {child.tag for child in case} <= CASE_CHILDREN
        for failure in case.findall("failure"):
            assert failure.get("message") and failure.get("type")
    return cases


def test_junit_of_a_stopped_run(state, tmp_path) -> None:
    store = Store(state / "runs.db")
    path = write_junit(store, RUN1, tmp_path / "report.xml")
    store.close()
    assert path.read_bytes().startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root, suite = parse(path)
    cases = check_counts(root, suite)
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("18", "2", "10")
    by_name = {c.get("name"): c for c in cases}
    assert {c.get("classname") for c in cases} == {"vungtau"}  # the inventory's city id
    failed = by_name["phuong_3 (Phường 3)"].find("failure")
    assert failed.get("type") == "failed"
    assert "phuong_3-room: conference_client : Install the meeting client: No package matching" in failed.text
    unreachable = by_name["long_son (Xã Long Sơn)"].find("failure")
    assert unreachable.get("type") == "unreachable" and "long_son-router" in unreachable.get("message")
    assert by_name["phuong_7 (Phường 7)"].find("skipped").get("message") == "not rolled out yet"
    assert "changed" in by_name["phuong_1 (Phường 1)"].find("system-out").text
    text = path.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in text


def test_junit_of_a_clean_run_and_of_a_dry_run(state, tmp_path) -> None:
    store = Store(state / "runs.db")
    root, suite = parse(write_junit(store, RUN2, tmp_path / "run2.xml"))
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("10", "0", "0")
    check_counts(root, suite)
    root, suite = parse(write_junit(store, RUN3, tmp_path / "run3.xml", classname="ci"))
    store.close()
    (case,) = check_counts(root, suite)
    assert case.get("classname") == "ci" and "change(s) pending (dry run)" in case.find("system-out").text
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["check_mode"] == "true" and props["run_id"] == RUN3


def test_junit_run_level_failure_and_control_characters(scenario, tmp_path) -> None:
    """A playbook that never started is a failing case of its own; ANSI codes never break the XML."""
    store = Store(tmp_path / "runs.db")
    clock = Clock(datetime(2021, 6, 1, tzinfo=UTC))
    with frozen(clock):
        record_run(store, clock, scenario.city, "r-orphan", [["phuong_1"], ["phuong_5"]], {}, stop_after=0)
        store.mark_running("r-orphan", ["phuong_5"])
        outcome = WaveOutcome(failures=[Failure("", "ansible-playbook", "\x1b[31mERROR! vault password\x1b[0m\x07")])
        store.record_wave("r-orphan", {}, outcome, {"phuong_5": ("failed", None, "apply: \x1b[1mno host\x1b[0m ran")})
    path = write_junit(store, "r-orphan", tmp_path / "orphan.xml")
    store.close()
    root, suite = parse(path)
    cases = check_counts(root, suite)
    assert [c.get("name") for c in cases] == ["phuong_1 (Phường 1)", "phuong_5 (Phường 5)", "run (ansible-playbook)"]
    assert cases[1].find("failure").get("message") == "failed: apply: no host ran"
    assert cases[2].find("failure").text == "ERROR! vault password"
    assert "\x1b" not in path.read_text(encoding="utf-8")
