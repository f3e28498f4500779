"""The report portal on the lab's city-hall services host: `wardctl report --publish` from a synthetic record (the
report tests' Vũng Tàu scenario, no rollout needed), deployed by playbooks/report_site.yml, then every access rule
checked over real HTTP from the controller, and the pages rendered by headless Chromium.
"""

from __future__ import annotations

import base64
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import ROOT, TEST_LAB, ansible_playbook, lab_env, run

sys.path.insert(0, str(ROOT / "tests" / "report"))  # the report tests' record builder and Chromium helpers
from report_helpers import SECRETS, vungtau_scenario
from test_city_chromium import CHROMIUM, chromium, png_pixels

pytestmark = pytest.mark.lab

CITY_USER = "city_staff"  # roles/report_site/defaults/main.yml
WARD_FILES = ("", "index.html", "index.vi.html", "index.en.html", "report.json", "report.csv", "report.md",
              "report.en.json", "report.en.csv", "report.en.md")  # fmt: skip
CITY_FILES = ("", "index.html", "index.vi.html", "index.en.html")


@dataclass
class Portal:
    base: str
    site: Path  # the published directory on the controller
    state: Path  # the synthetic record's state directory
    passwords: dict[str, str]  # ward id -> password, as the lab's vault holds them
    city_password: str
    deploys: list[Any]  # the playbook runs (CompletedProcess)
    container: str  # the services host's podman container
    redeploy: Any  # run the playbook again: redeploy(*extra ansible-playbook args)

    @property
    def wards(self) -> list[str]:
        """Every ward the site publishes."""
        return sorted(p.name for p in (self.site / "wards").iterdir())


def _deploy(portal_env: dict[str, str], inventory: Path, vault: Path, site: Path, *extra: str) -> Any:
    saved = dict(os.environ)
    os.environ.update(portal_env)  # support.ansible_playbook passes os.environ on; the record is the synthetic one
    try:
        return ansible_playbook(inventory, "report_site.yml", "-e", f"report_site_publish_dir={site}", *extra,
                                vault=vault, timeout=900)  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def portal(lab: dict[str, Any], lab_inventory: Path, vault_password_file: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:  # fmt: skip
    state = tmp_path_factory.mktemp("portal") / "state"
    vungtau_scenario(state)
    site = state.parent / "site"
    secrets = ROOT / f".lab-{TEST_LAB}" / "secrets"
    extra = yaml.safe_load((lab_inventory / "group_vars" / "all" / "extra.yml").read_text(encoding="utf-8"))
    host = next(h for h in lab["hosts"] if h["role"] == "city_services")
    lab_wards = sorted({h["ward"] for h in lab["hosts"]})
    env = {"WARDCTL_STATE_DIR": str(state)}
    first = _deploy(env, lab_inventory, vault_password_file, site)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    yield Portal(
        base=f"http://{host['address']}:{extra['report_site_port']}",
        site=site, state=state,
        passwords={w: (secrets / f"report_site_{w}").read_text().strip() for w in lab_wards},
        city_password=(secrets / "report_site_city").read_text().strip(),
        deploys=[first, _deploy(env, lab_inventory, vault_password_file, site)],
        container=host["container"],
        redeploy=lambda *args: _deploy(env, lab_inventory, vault_password_file, site, *args),
    )  # fmt: skip


def get(portal: Portal, path: str, user: str | None = None, password: str | None = None) -> tuple[int, Any, bytes]:
    """(status, headers, body) of one GET; errors are answers too."""
    request = urllib.request.Request(portal.base + path)
    if user is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # the lab's own address
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _every_secret(portal: Portal) -> list[str]:
    lab_secrets = ROOT / f".lab-{TEST_LAB}" / "secrets"
    return [*SECRETS, *(p.read_text().strip() for p in lab_secrets.iterdir() if p.is_file())]


def test_site_layout_and_deploy_output(portal: Portal) -> None:
    assert "phuong_1" in portal.wards and "long_son" in portal.wards and len(portal.wards) == 18
    for ward in portal.wards:
        names = {p.name for p in (portal.site / "wards" / ward).iterdir()}
        assert names == {f for f in WARD_FILES if f}, ward
    # The playbook's output (verbose enough to show every task) carries no password of the vault.
    for proc in portal.deploys:
        for secret in _every_secret(portal):
            assert secret not in proc.stdout and secret not in proc.stderr


def test_no_secret_and_no_controller_path_published(portal: Portal) -> None:
    forbidden = [*_every_secret(portal), str(ROOT), str(portal.state), str(portal.site), str(Path.home()) + "/",
                 "/root/", "/tmp/", ".lab-"]  # fmt: skip
    files = [p for p in portal.site.rglob("*") if p.is_file()]
    assert len(files) > 150
    for path in files:
        text = path.read_text(encoding="utf-8")
        for bad in forbidden:
            assert bad not in text, f"{path.relative_to(portal.site)} holds {bad[:12]}…"
    # The router's backup is named relative to the checkout, as a technician may ask city hall for it.
    assert "backups/phuong_x-router/" in (portal.site / "wards" / "phuong_1" / "report.md").read_text("utf-8")


def test_each_ward_reads_only_its_own_pages(portal: Portal) -> None:
    users = [w for w in portal.passwords if w in portal.wards]
    assert len(users) >= 2, "the lab must have at least two wards with reports"
    for user in users:
        password = portal.passwords[user]
        for ward in portal.wards:
            for name in WARD_FILES:
                status, _, body = get(portal, f"/wards/{ward}/{name}", user, password)
                if ward == user:
                    assert status == 200, (user, ward, name)
                    local = portal.site / "wards" / ward / (name or "index.html")
                    assert body == local.read_bytes(), (ward, name)
                else:
                    assert status in (401, 403), (user, ward, name, status)
        for name in CITY_FILES:
            assert get(portal, f"/city/{name}", user, password)[0] in (401, 403), (user, name)


def test_city_staff_read_everything(portal: Portal) -> None:
    for name in CITY_FILES:
        status, _, body = get(portal, f"/city/{name}", CITY_USER, portal.city_password)
        assert status == 200 and body == (portal.site / "city" / (name or "index.html")).read_bytes()
    for ward in portal.wards:
        for name in WARD_FILES:
            assert get(portal, f"/wards/{ward}/{name}", CITY_USER, portal.city_password)[0] == 200, (ward, name)


def test_no_credentials_or_wrong_ones_get_401(portal: Portal) -> None:
    ward = next(w for w in portal.passwords if w in portal.wards)
    for path in ("/city/", "/city/index.en.html", f"/wards/{ward}/", f"/wards/{ward}/report.json", "/wards/"):
        assert get(portal, path)[0] == 401, path
        assert get(portal, path, ward, portal.passwords[ward] + "x")[0] == 401, path
        # A ward's password is not the city staff's.
        assert get(portal, path, CITY_USER, portal.passwords[ward])[0] == 401, path
    assert get(portal, f"/wards/{ward}/", ward.upper(), portal.passwords[ward])[0] == 401


def test_no_directory_listing_and_nothing_outside_the_site(portal: Portal) -> None:
    for path in ("/wards/", "/city/../wards/", "/wards/phuong_1/../"):
        status, _, body = get(portal, path, CITY_USER, portal.city_password)
        assert status in (403, 404), path
        assert b"Index of" not in body and b"phuong_1" not in body, path
    assert get(portal, "/etc/passwd")[0] == 404
    assert get(portal, "/wards/phuong_1/../../../etc/passwd", CITY_USER, portal.city_password)[0] in (400, 404)


def test_security_headers(portal: Portal) -> None:
    ward = next(w for w in portal.passwords if w in portal.wards)
    for status_wanted, args in ((200, (f"/wards/{ward}/", ward, portal.passwords[ward])), (401, ("/city/",)),
                                (200, (f"/wards/{ward}/report.csv", ward, portal.passwords[ward]))):  # fmt: skip
        status, headers, _ = get(portal, *args)
        assert status == status_wanted
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
        assert headers["Server"] == "nginx", "server_tokens must be off (no version)"
    _, headers, _ = get(portal, f"/wards/{ward}/report.csv", ward, portal.passwords[ward])
    assert headers["Content-Type"] == "text/csv; charset=utf-8"


def _changed(proc: Any) -> int:
    assert proc.returncode == 0, proc.stdout[-3000:]
    recap = re.search(r"city_hall-services\s*:\s*ok=\d+\s+changed=(\d+)", proc.stdout)
    assert recap, proc.stdout[-3000:]
    return int(recap.group(1))


def test_second_deploy_changes_nothing(portal: Portal) -> None:
    assert _changed(portal.deploys[1]) == 0


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium not installed")
@pytest.mark.parametrize("size", [(1280, 1600), (390, 844)], ids=["desktop", "phone"])
def test_pages_render_in_chromium(portal: Portal, size: tuple[int, int], tmp_path: Path) -> None:
    ward = next(w for w in ("phuong_1", *portal.passwords) if w in portal.wards and w in portal.passwords)
    host = portal.base.removeprefix("http://")
    pages = {
        "city": (f"http://{CITY_USER}:{portal.city_password}@{host}/city/",
                 ("Tiến độ triển khai họp trực tuyến", "Phường 1", "Xã Long Sơn", "Không đạt")),
        "ward": (f"http://{ward}:{portal.passwords[ward]}@{host}/wards/{ward}/",
                 ("Phường 1", "Hoàn thành", "Tốt")),
    }  # fmt: skip
    for name, (url, words) in pages.items():
        shot = tmp_path / f"{name}.png"
        # Basic auth from the URL's userinfo: headless Chromium sends it, so the page is the protected one.
        proc = chromium(tmp_path, f"--window-size={size[0]},{size[1]}", f"--screenshot={shot}", "--dump-dom", url)
        assert shot.is_file(), proc.stderr[-2000:]
        for word in words:
            assert word in proc.stdout, (name, word, proc.stdout[-500:])
        width, height, rows = png_pixels(shot.read_bytes(), max_rows=300)
        assert (width, height) == size
        step = len(rows[0]) // width
        colours = {row[x : x + 3] for row in rows for x in range(0, len(row), step * 2)}
        assert len(colours) >= 8, f"{name}: only {len(colours)} colours, the page did not render"
        # Phone-sized screens: the page scales to the device width rather than a desktop canvas.
        assert 'name="viewport"' in proc.stdout


def test_a_changed_server_copy_is_listed_in_check_mode_then_replaced(portal: Portal) -> None:
    ward = next(w for w in portal.passwords if w in portal.wards)
    target = f"/var/www/report_site/wards/{ward}/report.md"  # roles/report_site/defaults/main.yml: report_site_root
    run(["podman", "exec", portal.container, "sh", "-c", f"echo tampered > {target}"], env=lab_env())
    # Check mode names the file it would write, and writes nothing: the server still has the changed copy.
    check = portal.redeploy("--check", "--diff")
    assert _changed(check) >= 1 and f"- wards/{ward}/report.md" in check.stdout, check.stdout[-3000:]
    assert get(portal, f"/wards/{ward}/report.md", ward, portal.passwords[ward])[2] == b"tampered\n"
    assert not [s for s in _every_secret(portal) if s in check.stdout + check.stderr], "a secret in --diff output"
    assert _changed(portal.redeploy()) >= 1
    body = get(portal, f"/wards/{ward}/report.md", ward, portal.passwords[ward])[2]
    assert body == (portal.site / "wards" / ward / "report.md").read_bytes()
