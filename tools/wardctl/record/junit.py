"""JUnit XML for CI: one test case per ward, so GitLab and GitHub show wards as tests.

The common JUnit schema: <testsuites><testsuite name tests failures errors skipped time timestamp>, each
<testcase classname name time> holding a <failure message type> (failed or unreachable ward, its failures
in the text), a <skipped message> (pending ward) or nothing (done). A dry run's pending changes pass and
say so in <system-out>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from wardctl.masking import clean
from wardctl.record.read import Record, RunInfo, WardRecord
from wardctl.record.store import Store, parse_time

MAX_FAILURE_LINES = 50  # a ward with hundreds of failed tasks still gives a readable CI page


def _seconds(start: str | None, end: str | None) -> str:
    a, b = parse_time(start), parse_time(end)
    return f"{max((b - a).total_seconds(), 0.0):.1f}" if a and b else "0"


def _case(suite: ET.Element, rec: WardRecord, classname: str) -> str:
    """Append one ward's test case; returns its outcome (passed | failure | skipped)."""
    case = ET.SubElement(suite, "testcase", classname=classname, name=f"{rec.ward} ({rec.display_name})",
                         time=_seconds(rec.started_at, rec.finished_at))  # fmt: skip
    status = rec.contract_status
    if status in ("failed", "unreachable"):
        lines = [f"{f.host}: {f.task}: {f.message}" + (f" [{f.phase}]" if f.phase != "apply" else "")
                 for f in rec.failures]  # fmt: skip
        first = rec.message or (lines[0] if lines else status)
        failure = ET.SubElement(case, "failure", message=clean(f"{status}: {first}")[:500], type=status)
        shown = lines[:MAX_FAILURE_LINES]
        if len(lines) > len(shown):
            shown.append(f"… and {len(lines) - len(shown)} more")
        failure.text = clean("\n".join(shown) or first)
        return "failure"
    if status == "pending":
        reason = "still running when the report was written" if rec.status == "running" else "not rolled out yet"
        ET.SubElement(case, "skipped", message=clean(rec.message or reason))
        return "skipped"
    counts = ", ".join(f"{h.name}: ok={h.ok} changed={h.changed}" for h in rec.hosts)
    out = (
        f"{rec.changed} change(s) pending (dry run)" if rec.run.check_mode and rec.changed else f"{rec.changed} changed"
    )
    ET.SubElement(case, "system-out").text = clean(f"{out}\n{counts}")
    return "passed"


def junit_tree(record: Record, run: RunInfo, classname: str) -> ET.ElementTree:
    records = record.records(run.run_id, kinds=())  # reports are not needed: keep the query light
    suites = ET.Element("testsuites", name=f"wardctl rollout {run.run_id}")
    suite = ET.SubElement(suites, "testsuite", name=f"{classname} rollout {run.run_id}",
                          timestamp=run.started_at.removesuffix("Z"), hostname="wardctl")  # fmt: skip
    props = ET.SubElement(suite, "properties")
    for name, value in (("run_id", run.run_id), ("check_mode", str(run.check_mode).lower()),
                        ("run_status", run.status), ("inventory", run.inventory)):  # fmt: skip
        ET.SubElement(props, "property", name=name, value=clean(value))
    outcomes = [_case(suite, rec, classname) for rec in records.values()]
    for f in record.run_failures([run.run_id]).get(run.run_id, []):
        case = ET.SubElement(suite, "testcase", classname=classname, name=f"run ({f.task})", time="0")
        ET.SubElement(case, "failure", message=clean(f.message)[:500], type="run").text = clean(f.message)
        outcomes.append("failure")
    suite.set("tests", str(len(outcomes)))
    suite.set("failures", str(outcomes.count("failure")))
    suite.set("errors", "0")
    suite.set("skipped", str(outcomes.count("skipped")))
    suite.set("time", _seconds(run.started_at, run.finished_at))
    for key in ("tests", "failures", "errors", "skipped", "time"):
        suites.set(key, suite.get(key, "0"))
    ET.indent(suites)
    return ET.ElementTree(suites)


def write_junit(store: Store, run_id: str, path: Path, *, classname: str) -> Path:
    """Write the JUnit file of one run; `classname` is the city id (the caller knows its inventory)."""
    record = Record(store)
    tree = junit_tree(record, record.require_run(run_id), classname)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path
