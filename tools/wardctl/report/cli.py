"""`wardctl status` and `wardctl report`: everything that reads the run record (docs/rollout.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from wardctl.errors import WardctlError
from wardctl.report.city import build_city
from wardctl.report.context import load_context, parse_deadline
from wardctl.report.i18n import LANGS, Lang
from wardctl.report.record import NO_RUNS, Record

WARD_FORMATS = ("md", "html", "json", "csv")
CITY_FORMATS = ("html", "csv", "json")


def register(verbs: Any) -> None:
    """Add `status` and `report` to the top-level argparse subparsers `verbs`."""
    p = verbs.add_parser("status", help="the city table: every ward's status, router, endpoints, line, last run")
    p.add_argument("run", nargs="?", metavar="RUN", help="one run (default: each ward's latest attempt)")
    p.add_argument("--json", action="store_true", help="machine-readable (docs/rollout.md)")
    p.add_argument("-i", "--inventory", type=Path, help="inventory directory (default: the run's)")
    p.add_argument("--lang", choices=LANGS, default="en", help="language of the table (default en)")
    p.set_defaults(func=_status)

    p = verbs.add_parser("report", help="a ward's report for its technician, or the city dashboard (--city)")
    p.add_argument("ward", nargs="?", metavar="WARD", help="ward id, e.g. phuong_1")
    p.add_argument("--city", action="store_true", help="the one-page city dashboard instead of one ward")
    p.add_argument("--run", metavar="RUN", help="one run (default: the ward's latest attempt)")
    p.add_argument("--format", choices=sorted(set(WARD_FORMATS + CITY_FORMATS)), help="md (ward default) | html "
                   "(city default) | json | csv")  # fmt: skip
    p.add_argument("--lang", choices=LANGS, default="vi", help="vi (default) or en")
    p.add_argument("--deadline", metavar="YYYY-MM-DD", help="the city's deadline (default: inventory "
                   "city_rollout_deadline, else none)")  # fmt: skip
    p.add_argument("-i", "--inventory", type=Path, help="inventory directory (default: the run's)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of standard output")
    p.add_argument("--publish", type=Path, metavar="DIR", help="write the static report site here: the dashboard, "
                   "every ward's pages (vi, en) and downloads (docs/portal.md)")  # fmt: skip
    p.set_defaults(func=_report)


def _emit(text: str, output: Path | None) -> None:
    data = text.encode("utf-8")  # always UTF-8: a CI runner's C locale must not mangle Vietnamese
    if output is None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # stdout replaced by a text stream (an embedding program): it encodes
            sys.stdout.write(text)
            return
        sys.stdout.flush()
        buffer.write(data)
        buffer.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as exc:
        raise WardctlError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(f"wrote {output}", file=sys.stderr)


def _now_text(lang: Lang) -> str:
    return lang.time(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def _status(args: argparse.Namespace) -> int:
    from wardctl.report.status import status_json, status_text

    record = Record.open()
    try:
        args.run = _resolve_run(record, args.run)
        recorded = _recorded_inventory(record, args.run)
        ctx = load_context(args.inventory, recorded)
        city = build_city(record, ctx, args.run)
        lang = Lang(args.lang, ctx.tz)
        _emit(status_json(city, lang) if args.json else status_text(city, lang), None)
    finally:
        if record is not None:
            record.close()
    return 0


def _resolve_run(record: Record | None, run_id: str | None) -> str | None:
    """`latest` (or any RUN) to a recorded run id; a one-line error for an unknown one."""
    if run_id is None:
        return None
    if record is None:
        raise WardctlError(f"unknown run {run_id!r}: {NO_RUNS}")
    return record.require_run(run_id).run_id


def _recorded_inventory(record: Record | None, run_id: str | None) -> str | None:
    if record is None:
        return None
    run = record.require_run(run_id) if run_id else record.run()
    return run.inventory if run else None


def _report(args: argparse.Namespace) -> int:
    if args.publish is not None:
        return _publish(args)
    if args.city == bool(args.ward):
        raise WardctlError("report: name one WARD, or --city for the dashboard")
    deadline = _deadline(args)
    record = Record.open()
    try:
        if record is not None:
            args.run = _resolve_run(record, args.run)
        if args.city:
            return _city(args, record, deadline)
        return _ward(args, record)
    finally:
        if record is not None:
            record.close()


def _deadline(args: argparse.Namespace) -> date | None:
    if not args.deadline:
        return None
    deadline = parse_deadline(args.deadline)
    if deadline is None:
        raise WardctlError(f"--deadline: {args.deadline!r} is not a date (YYYY-MM-DD)")
    return deadline


def _publish(args: argparse.Namespace) -> int:
    from wardctl.report.publish import publish

    if args.ward or args.city or args.format or args.output:
        raise WardctlError("report --publish DIR: the site holds every ward and the city; drop WARD, --city, "
                           "--format and -o")  # fmt: skip
    deadline = _deadline(args)
    record = Record.open()
    try:
        run_id = _resolve_run(record, args.run)
        ctx = load_context(args.inventory, _recorded_inventory(record, run_id), deadline)
        count = publish(record, args.publish, run_id, args.inventory, ctx)
    finally:
        if record is not None:
            record.close()
    print(f"published {count} files to {args.publish}", file=sys.stderr)
    return 0


def _city(args: argparse.Namespace, record: Record | None, deadline: date | None) -> int:
    from wardctl.report.publish import city_text

    fmt = args.format or "html"
    if fmt not in CITY_FORMATS:
        raise WardctlError(f"report --city: format {fmt!r} not available (choose {', '.join(CITY_FORMATS)})")
    if record is None and args.run:
        raise WardctlError(f"unknown run {args.run!r}: {NO_RUNS}")
    ctx = load_context(args.inventory, _recorded_inventory(record, args.run), deadline)
    city = build_city(record, ctx, args.run)
    _emit(city_text(city, fmt, Lang(args.lang, ctx.tz)), args.output)
    return 0


def _ward(args: argparse.Namespace, record: Record | None) -> int:
    from wardctl.report.publish import ward_text
    from wardctl.report.ward import build_ward

    fmt = args.format or "md"
    if record is None:
        raise WardctlError(f"no report for ward {args.ward!r}: {NO_RUNS}")
    try:
        rec = record.record(args.ward, args.run)
    except WardctlError:
        ctx = load_context(args.inventory, _recorded_inventory(record, args.run))
        if ctx.city is not None and ctx.ward(args.ward) is None:
            known = ", ".join(ctx.ward_ids)
            raise WardctlError(f"unknown ward {args.ward!r} (known: {known})") from None
        raise
    ctx = load_context(args.inventory, rec.run.inventory)
    report = build_ward(rec, ctx, record.run_failures([rec.run_id]).get(rec.run_id))
    lang = Lang(args.lang, ctx.tz)
    _emit(ward_text(report, fmt, lang, ctx.name, _now_text(lang)), args.output)
    return 0
