"""`wardctl report --publish DIR` without a lab: the synthetic Vũng Tàu record (tests/report/report_helpers.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, VENV_BIN

sys.path.insert(0, str(ROOT / "tests" / "report"))  # the report tests' record builder
from report_helpers import SECRETS, vungtau_scenario

from wardctl.errors import WardctlError
from wardctl.report import publish


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("publish") / "state"
    vungtau_scenario(path)
    return path


def wardctl(state: Path, *args: str, text: bool = True) -> subprocess.CompletedProcess[Any]:
    env = {"WARDCTL_STATE_DIR": str(state), "PATH": "/usr/bin:/bin", "HOME": str(state.parent)}
    cmd = [str(VENV_BIN / "wardctl"), *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=text, timeout=120, check=False)


def snapshot(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_publish_is_deterministic_and_swapped_whole(state: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = wardctl(state, "report", "--publish", str(site))
    assert first.returncode == 0, first.stderr
    before = snapshot(site)
    (site / "stale.html").write_text("from an older site")  # a file the new site does not have
    second = wardctl(state, "report", "--publish", str(site))
    assert second.returncode == 0, second.stderr
    assert snapshot(site) == before, "the same record must give the same files, and only them"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "no build or old directory left beside DIR"
    assert "city/index.html" in before and before["city/index.html"] == before["city/index.vi.html"]
    assert before["wards/phuong_1/index.html"] == before["wards/phuong_1/index.vi.html"]
    assert b'lang="en"' in before["wards/phuong_1/index.en.html"]
    # The downloads are what `wardctl report WARD --format …` prints (same renderers, one dispatch).
    for fmt in ("json", "csv"):
        direct = wardctl(state, "report", "phuong_1", "--format", fmt, text=False)  # bytes: the CSV's CRLF
        assert direct.stdout == before[f"wards/phuong_1/report.{fmt}"]
    for name, data in before.items():
        text = data.decode("utf-8")
        assert not any(secret in text for secret in SECRETS), name
        assert str(ROOT) not in text and str(state) not in text, name
        if name.endswith(".html"):
            assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "").replace(
                "http://203.0.113.10/mirror/", ""), name  # fmt: skip


def test_publish_refuses_bad_combinations(state: Path, tmp_path: Path) -> None:
    proc = wardctl(state, "report", "phuong_1", "--publish", str(tmp_path / "site"))
    assert proc.returncode != 0 and "--publish" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    (tmp_path / "file").write_text("x")
    proc = wardctl(state, "report", "--publish", str(tmp_path / "file"))
    assert proc.returncode != 0 and "not a directory" in proc.stderr
    empty = wardctl(tmp_path / "no-state", "report", "--publish", str(tmp_path / "site"))
    assert empty.returncode != 0 and "nothing to publish" in empty.stderr
    assert not (tmp_path / "site").exists()


def test_controller_paths_are_made_relative(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WARDCTL_ROOT", str(tmp_path / "kit"))
    monkeypatch.setenv("WARDCTL_STATE_DIR", str(tmp_path / "state"))
    assert publish.public_path(f"{tmp_path}/kit/backups/r1/2021.cfg") == "backups/r1/2021.cfg"
    assert publish.public_path("/srv/elsewhere/backups/r1/2021.cfg") == "2021.cfg"
    assert publish.public_path("backups/r1/2021.cfg") == "backups/r1/2021.cfg"
    assert publish.scrub(f"inventory {tmp_path}/kit/inventory/x not found") == "inventory inventory/x not found"
    assert str(tmp_path) not in publish.scrub(f"state at {tmp_path}/state/runs.db")


def test_a_ward_id_that_cannot_be_a_path_is_refused() -> None:
    assert publish.WARD_ID.match("phuong_1") and publish.WARD_ID.match("long_son")
    for bad in ("../city", "Phuong_1", "phuong 1", "", "_x", "a/b"):
        assert not publish.WARD_ID.match(bad), bad
    with pytest.raises(WardctlError, match="nothing to publish"):
        publish.publish(None, Path("/nonexistent"), None, None)


def test_the_dashboard_links_each_ward_to_its_own_page(state: Path, tmp_path: Path) -> None:
    """City staff open a ward's page from its name: every link resolves to a published page of the same language;
    a ward without a report (never rolled out) has no link."""
    site = tmp_path / "site"
    assert wardctl(state, "report", "--publish", str(site)).returncode == 0
    for code in ("vi", "en"):
        page = (site / "city" / f"index.{code}.html").read_text(encoding="utf-8")
        links = re.findall(r'<a href="\.\./wards/([a-z0-9_]+)/index\.(vi|en)\.html">', page)
        assert links and {lang for _, lang in links} == {code}, links
        assert all((site / "wards" / ward / f"index.{code}.html").is_file() for ward, _ in links)
        published = {p.name for p in (site / "wards").iterdir()}
        assert {ward for ward, _ in links} == published
    # A file report (`wardctl report --city`) links nowhere: its ward pages are not beside it.
    plain = wardctl(state, "report", "--city", "--format", "html").stdout
    assert "../wards/" not in plain


def test_every_page_links_its_other_language_and_its_downloads(state: Path, tmp_path: Path) -> None:
    """A technician who opens /wards/<ward>/ finds the English page and the JSON/CSV/Markdown files from it (the
    city page: the city's CSV/JSON): every link of a page's nav resolves to a published file beside it, in the
    page's language, with the label in that language; a report written to a file has no such links."""
    site = tmp_path / "site"
    assert wardctl(state, "report", "--publish", str(site)).returncode == 0
    pages = sorted(site.glob("city/index.*.html")) + sorted(site.glob("wards/*/index.*.html"))
    assert len(pages) > 4
    for page in pages:
        code = page.name.split(".")[1]
        nav = re.search(r'<nav class="links"[^>]*>(.*?)</nav>', page.read_text(encoding="utf-8"), re.S)
        assert nav, page
        hrefs = re.findall(r'<a href="([^"]+)"', nav.group(1))
        other = "en" if code == "vi" else "vi"
        exts = ["csv", "json"] + (["md"] if page.parent.parent.name == "wards" else [])
        ext_name = "report.{}" if code == "vi" else f"report.{code}.{{}}"
        assert hrefs == [f"index.{other}.html", *[ext_name.format(e) for e in exts]], (page, hrefs)
        assert all((page.parent / href).is_file() for href in hrefs), (page, hrefs)
        assert ("Tải về:" if code == "vi" else "Download:") in nav.group(1)
        assert ("Bản tiếng Anh" if code == "vi" else "Tiếng Việt") in nav.group(1)
    # the city's downloads hold the city: every published ward is a row of the CSV and an entry of the JSON
    wards = {p.name for p in (site / "wards").iterdir()}
    city_csv = (site / "city" / "report.csv").read_text(encoding="utf-8")
    assert all(f"{ward}," in city_csv for ward in wards)
    assert all(f'"{ward}"' in (site / "city" / "report.en.json").read_text(encoding="utf-8") for ward in wards)
    assert "<nav" not in wardctl(state, "report", "--city", "--format", "html").stdout
