#!/usr/bin/python
"""Merge this run's rows into a CSV report that several runs write (one row per host)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: csv_report
short_description: Merge this run's rows into a CSV report that several runs share
description:
  - A city-wide report of one row per host is written by many runs of the same playbook, each over a part of the
    city (a rollout's health gate runs once per wave, or per ward with C(--rolling), several at once). Writing the
    whole file from one run's hosts would leave only the last run's rows.
  - This module replaces the rows of the hosts in O(content), keeps every other host's row as an earlier run
    wrote it, drops the rows of hosts that are not in O(keep) (gone from the inventory), stamps the rows it
    writes with the time (UTC) in O(stamp_column), and orders the rows by O(order) then host.
  - The read, merge and write happen under an exclusive lock on the file's directory (runs at once wait for each
    other) and the file is replaced atomically. Check mode and diff supported.
  - A file that is not such a report (no O(key) column, not UTF-8) is refused before anything is written.
  - A text cell that a spreadsheet would run as a formula (starting with C(=), C(+), C(-), C(@)) is written with a
    leading apostrophe; numbers are left as they are.
version_added: 1.2.0
author: wardkit
options:
  path:
    description: The report; its directory must exist.
    type: path
    required: true
  content:
    description: This run's rows as CSV text with its header line (a leading byte-order mark is ignored).
    type: str
    required: true
  key:
    description: The column naming a row's host.
    type: str
    default: host
  keep:
    description: The hosts whose earlier rows may stay (the inventory's hosts of the report's kind).
    type: list
    elements: str
    required: true
  order_column:
    description: The column O(order) ranks (a row whose value is not in O(order) goes after the others).
    type: str
    default: ward
  order:
    description: The order of O(order_column)'s values (the city's wards).
    type: list
    elements: str
    default: []
  stamp_column:
    description: The column that says when each row was written (added as the last column when missing).
    type: str
    default: written_utc
"""

EXAMPLES = r"""
- name: Write line_quality.csv, keeping the rooms other runs measured
  wardkit.core.csv_report:
    path: reports/line_quality.csv
    content: "{{ verify_lines | line_check_csv(city_wards) }}"
    keep: "{{ groups['meeting_rooms'] }}"
    order: "{{ city_wards }}"
"""

RETURN = r"""
written:
  description: The hosts whose rows this run wrote.
  type: list
  elements: str
  returned: always
dropped:
  description: The hosts whose earlier rows were dropped (not in O(keep)).
  type: list
  elements: str
  returned: always
"""

# Imports after the documentation blocks, as Ansible's module layout has it.
import csv  # noqa: E402
import fcntl  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it


# A cell starting with one of these is run as a formula by Excel and LibreOffice (OWASP "CSV injection"); ward
# names and other inventory data reach the reports, and data from people must stay data.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """The value as a spreadsheet shows it and never runs it: text that would start a formula gets a leading
    apostrophe (the spreadsheet's own "this is text" mark); numbers (-0.3) stay numbers; idempotent."""
    if value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _uncell(value: str) -> str:
    """The value _cell() was given: a host's name as the inventory spells it."""
    return value[1:] if value.startswith("'") and _cell(value[1:]) == value else value


class ReportError(ValueError):
    """The existing file or the content is not a report this module can merge."""


def _parse(text: str, what: str, key: str, hint: str = "") -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.removeprefix(BOM), newline=""))
    columns = list(reader.fieldnames or [])
    if key not in columns:
        raise ReportError(f"{what}: no {key!r} column in its header line ({', '.join(columns) or 'empty'}){hint}")
    return columns, [{c: (v or "") for c, v in row.items() if c is not None} for row in reader]


def merge(
    existing: str | None, content: str, *, key: str, keep: list[str], order_column: str, order: list[str],
    stamp_column: str, stamp: str, path: str = "report",
) -> tuple[str, list[str], list[str]]:  # fmt: skip
    """The merged report's text, the hosts written and the hosts dropped (pure: tested without Ansible)."""
    header, new_rows = _parse(content, "content", key)
    columns = header if stamp_column in header else [*header, stamp_column]
    rows: dict[str, dict[str, str]] = {}  # by the key as written (escaped), so a kept row and its new one meet
    dropped: list[str] = []
    if existing is not None:
        _, old_rows = _parse(existing, path, key, hint=": not a report of this kind, move it away to start a new one")
        allowed = {_cell(k) for k in keep}
        for row in old_rows:
            if _cell(row[key]) in allowed:
                # a column the report no longer has goes; a file from before the escaping is escaped now
                rows[_cell(row[key])] = {c: _cell(row.get(c, "")) for c in columns}
            else:
                dropped.append(_uncell(row[key]))
    written = [row[key] for row in new_rows]
    for row in new_rows:
        rows[_cell(row[key])] = {**{c: _cell(row.get(c, "")) for c in columns}, stamp_column: stamp}
    rank = {_cell(value): i for i, value in enumerate(order)}
    ordered = sorted(rows.values(), key=lambda r: (rank.get(r.get(order_column, ""), len(rank)), r[key]))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns)  # the csv module's CRLF lines, as the reports' filters write
    writer.writeheader()
    writer.writerows(ordered)
    return BOM + buf.getvalue(), written, sorted(set(dropped) - set(written))


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "content": {"type": "str", "required": True},
            "key": {"type": "str", "default": "host"},
            "keep": {"type": "list", "elements": "str", "required": True},
            "order_column": {"type": "str", "default": "ward"},
            "order": {"type": "list", "elements": "str", "default": []},
            "stamp_column": {"type": "str", "default": "written_utc"},
        },
        supports_check_mode=True,
    )
    p = module.params
    path = p["path"]
    directory = os.path.dirname(os.path.abspath(path))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    # flock on the directory, not on a lock file: nothing is left beside the report, and every run that writes
    # a report there waits for the one writing (read, merge and rename are one step for the others).
    lock = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        before: str | None = None
        if os.path.exists(path):
            try:
                with open(path, encoding="utf-8", newline="") as handle:
                    before = handle.read()
            except UnicodeDecodeError:
                module.fail_json(msg=f"{path}: not UTF-8, not a report of this kind: move it away to start a new one")
        try:
            after, written, dropped = merge(
                before, p["content"], key=p["key"], keep=p["keep"], order_column=p["order_column"],
                order=p["order"], stamp_column=p["stamp_column"], stamp=stamp, path=path,
            )  # fmt: skip
        except ReportError as exc:
            module.fail_json(msg=str(exc))
        result = {"changed": after != before, "written": written, "dropped": dropped}
        if module._diff:
            result["diff"] = {"before_header": path, "after_header": path, "before": before or "", "after": after}
        if result["changed"] and not module.check_mode:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".csv_report.")
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(after)
            module.atomic_move(tmp, path)
    finally:
        os.close(lock)  # releases the lock
    module.exit_json(**result)


if __name__ == "__main__":
    main()
