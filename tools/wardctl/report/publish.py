"""`wardctl report --publish DIR`: the reports as a static site for city hall's web server (docs/portal.md).

The layout maps the portal's access rules onto paths (the city staff read everything, a ward's technician only
`wards/<ward>/`):

    city/index.html (vi), city/index.vi.html, city/index.en.html          the dashboard
    city/report.{csv,json} (vi), report.en.{csv,json}                     the whole city's table
    wards/<ward>/index.html (vi), index.vi.html, index.en.html             the ward's report
    wards/<ward>/report.{json,csv,md} (vi), report.en.{json,csv,md}       its downloads

The same record gives the same bytes: pages are stamped with the record's own times, never the clock's, so a
refresh with nothing new changes no file on the server. No password and no path of the controller goes in.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.paths import lab_dir, repo_root
from wardctl.record.state import state_dir
from wardctl.report.city import CityReport, build_city, city_json
from wardctl.report.context import CityContext, load_context
from wardctl.report.i18n import LANGS, Lang, parse_time
from wardctl.report.record import NO_RUNS, Record
from wardctl.report.render_html import SiteNav
from wardctl.report.ward import WardReport, build_ward

DEFAULT_LANG = "vi"  # index.html and report.<ext> are Vietnamese, the technicians' language
WARD_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")  # a ward id becomes a directory and an nginx location


# --- one format, as `wardctl report` prints it ---------------------------------------------------------------
def ward_text(report: WardReport, fmt: str, lang: Lang, city_name: str, generated: str,
              nav: SiteNav | None = None) -> str:  # fmt: skip
    """A ward's report in one format (md | html | csv | json); `nav`: the published page's links."""
    from wardctl.report.render_csv import ward_csv
    from wardctl.report.render_html import ward_html
    from wardctl.report.render_json import ward_doc
    from wardctl.report.render_md import ward_md

    if fmt == "md":
        return ward_md(report, lang, city_name, generated)
    if fmt == "html":
        return ward_html(report, lang, city_name, generated, nav)
    if fmt == "csv":
        return ward_csv(report, lang)
    return json.dumps(ward_doc(report, lang), ensure_ascii=False, indent=2) + "\n"


def city_text(city: CityReport, fmt: str, lang: Lang, links: dict[str, str] | None = None,
              nav: SiteNav | None = None) -> str:  # fmt: skip
    """The city dashboard in one format (html | csv | json); `links`: ward -> its page, `nav`: the page's links
    (the published site)."""
    from wardctl.report.render_csv import city_csv
    from wardctl.report.render_html import city_html

    if fmt == "html":
        return city_html(city, lang, links, nav)
    if fmt == "csv":
        return city_csv(city, lang)
    return json.dumps(city_json(city, lang), ensure_ascii=False, indent=2) + "\n"


# --- what may leave the controller ---------------------------------------------------------------------------
def _controller_dirs() -> list[str]:
    """Directories of this controller that a record or a note may name; longest first, so a nested one wins."""
    dirs = {str(repo_root()), str(state_dir()), str(lab_dir()), str(Path.home())}
    return sorted((d for d in dirs if d not in ("", "/")), key=len, reverse=True)


def public_path(path: str | None) -> str | None:
    """A controller path as the site may show it: relative to the checkout, else only the file's name.

    A router's backup path says which backup to restore; where the controller keeps it is not the public's."""
    if not path or not path.startswith("/"):
        return path
    for base in _controller_dirs():
        if path.startswith(base + "/"):
            return path[len(base) + 1 :]
    return Path(path).name


def scrub(text: str) -> str:
    """Any controller directory left in a page (an inventory note, a message) reduced to a relative name."""
    for base in _controller_dirs():
        text = text.replace(base + "/", "").replace(base, ".")
    return text


# --- the site --------------------------------------------------------------------------------------------------
def _as_of(city: CityReport) -> datetime:
    """The dashboard's "generated" time: the record's last event, so an unchanged record renders identically."""
    stamps = [
        t for row in city.rows if row.record
        for s in (row.record.finished_at, row.record.started_at, row.record.run.finished_at, row.record.run.started_at)
        if (t := parse_time(s)) is not None
    ]  # fmt: skip
    if not stamps:
        raise WardctlError(f"report --publish: nothing to publish: {NO_RUNS}")
    return max(stamps)


def _download(code: str, ext: str) -> str:
    """A download's file name beside its page: report.<ext> in the default language, report.<lang>.<ext> else."""
    return f"report.{ext}" if code == DEFAULT_LANG else f"report.{code}.{ext}"


def _nav(code: str, exts: tuple[str, ...]) -> SiteNav:
    """A page's links, relative to its directory: the other language's page, the downloads in this language."""
    other = next(c for c in LANGS if c != code)
    labels = {"csv": "CSV", "json": "JSON", "md": "Markdown"}
    return SiteNav(f"index.{other}.html", other, tuple((labels[e], _download(code, e)) for e in exts))


def site_files(record: Record, ctx: CityContext, run_id: str | None, inventory: Path | None) -> dict[str, str]:
    """Every file of the site, path relative to DIR -> its text."""
    city = build_city(record, ctx, run_id)
    city.generated_at = _as_of(city).astimezone(UTC)
    ctx.note = scrub(ctx.note) if ctx.note else ctx.note
    files: dict[str, str] = {}
    paged = [row.ward for row in city.rows if row.record is not None and WARD_ID.match(row.ward)]
    for code in LANGS:
        links = {ward: f"../wards/{ward}/index.{code}.html" for ward in paged}  # city staff open them from here
        lang = Lang(code, ctx.tz)
        files[f"city/index.{code}.html"] = city_text(city, "html", lang, links, _nav(code, ("csv", "json")))
        for ext in ("csv", "json"):  # the whole city's table, for a spreadsheet or a script
            files[f"city/{_download(code, ext)}"] = city_text(city, ext, lang)
    contexts: dict[str, CityContext] = {}
    for row in city.rows:
        if row.record is None:
            continue  # never rolled out: the dashboard says pending, there is no report to read
        if not WARD_ID.match(row.ward):
            raise WardctlError(f"report --publish: ward id {row.ward!r} cannot name a directory (a-z, 0-9, _)")
        rec = record.record(row.ward, run_id)
        if rec.run.inventory not in contexts:  # as `wardctl report WARD` reads it: the inventory of its run
            contexts[rec.run.inventory] = load_context(inventory, rec.run.inventory)
        wctx = contexts[rec.run.inventory]
        report = build_ward(rec, wctx, record.run_failures([rec.run_id]).get(rec.run_id))
        if report.router is not None:
            report.router.backup_path = public_path(report.router.backup_path)
        base = f"wards/{row.ward}"
        for code in LANGS:
            lang = Lang(code, wctx.tz)
            stamp = lang.time(rec.finished_at or rec.started_at or rec.run.started_at)
            nav = _nav(code, ("csv", "json", "md"))
            files[f"{base}/index.{code}.html"] = ward_text(report, "html", lang, wctx.name, stamp, nav)
            for ext in ("json", "csv", "md"):
                files[f"{base}/{_download(code, ext)}"] = ward_text(report, ext, lang, wctx.name, stamp)
    files["city/index.html"] = files[f"city/index.{DEFAULT_LANG}.html"]
    for name in [n for n in files if n.endswith(f"/index.{DEFAULT_LANG}.html") and n.startswith("wards/")]:
        files[name.replace(f"index.{DEFAULT_LANG}.html", "index.html")] = files[name]
    return {name: scrub(text) for name, text in sorted(files.items())}


def write_site(files: dict[str, str], out: Path) -> None:
    """Build the site next to DIR, then swap it in: a reader of DIR sees the old site or the new, never half."""
    out = out.absolute()
    if out.exists() and not out.is_dir():
        raise WardctlError(f"report --publish: {out} exists and is not a directory")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise WardctlError(f"report --publish: cannot write next to {out}: {exc.strerror or exc}") from None
    old = out.parent / f".{out.name}.old-{build.name.rsplit('-', 1)[-1]}"
    try:
        build.chmod(0o755)  # mkdtemp makes it 0700; the web server's copy keeps its own modes, readers need this
        for name, text in files.items():
            path = build / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            path.chmod(0o644)
        if out.exists():
            os.replace(out, old)
        os.replace(build, out)
    except OSError as exc:
        raise WardctlError(f"report --publish: cannot write {out}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(build, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def publish(record: Record | None, out: Path, run_id: str | None, inventory: Path | None,
            ctx: CityContext | None = None) -> int:  # fmt: skip
    """Write the site to `out`; the number of files written."""
    if record is None:
        raise WardctlError(f"report --publish: nothing to publish: {NO_RUNS}")
    if ctx is None:
        ctx = load_context(inventory)
    files = site_files(record, ctx, run_id, inventory)
    write_site(files, out)
    return len(files)
