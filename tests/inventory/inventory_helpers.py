"""Helpers for the inventory tests: a small valid city, and broken variants of it built from overlays.

Not a conftest.py: tests/conftest.py is imported as `conftest` by other tests, and a second one would shadow it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from wardctl.inventory.model import City, CityServices, Endpoint, Merger, Router, Ward
from wardctl.inventory.writer import write_inventory

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken"
VENV_BIN = Path(sys.executable).parent
WARDCTL = str(VENV_BIN / "wardctl")
PRODUCTION = ROOT / "inventory" / "vungtau"
EXAMPLE_CSV = ROOT / "docs" / "wards.example.csv"
SMALL_VAULT_PASSWORD = "small-city-test-password"
# Files of a broken case that describe it rather than overlay the base inventory.
CASE_META = {"expect.txt", "delete.txt"}


def small_city() -> City:
    """Three wards, both router dialects, both platforms, every endpoint role, one merger."""
    city_hall = Ward("city_hall", "UBND Thành phố Nhỏ", "city_hall", "Nguyễn Văn An", "0254 000 0001")
    city_hall.router = Router("city_hall-router", "cisco_ios", "198.51.100.1", 22, "GigabitEthernet0/0/0", 500, 200)
    city_hall.endpoints = [
        Endpoint("city_hall-room", "198.51.100.101", "linux", "meeting_room"),
        Endpoint("city_hall-services", "203.0.113.10", "linux", "city_services"),
        Endpoint("city_hall-pc-noi_vu", "203.0.113.101", "windows", "leader_pc", 5986, "Phòng Nội vụ"),
    ]
    phuong_1 = Ward("phuong_1", "Phường 1", "phuong", "Trần Thị Bích", "0254 000 0002")
    phuong_1.router = Router("phuong_1-router", "mikrotik_routeros", "198.51.100.11", 22, "ether1", 100, 40)
    phuong_1.endpoints = [Endpoint("phuong_1-room", "198.51.100.111", "windows", "meeting_room", 5986)]
    phuong_2 = Ward("phuong_2", "Phường 2", "phuong", "Lê Minh Châu", "0254 000 0003")
    phuong_2.router = Router("phuong_2-router", "cisco_ios", "198.51.100.12", 22, "GigabitEthernet0/0/0", 30, 10.5)
    phuong_2.endpoints = [Endpoint("phuong_2-room", "198.51.100.112", "linux", "meeting_room")]
    services = CityServices(
        mgmt_subnets=["203.0.113.0/25"],
        mirror_url="http://203.0.113.10/mirror/",
        ntp_servers=["203.0.113.10"],
        dns_servers=["203.0.113.53"],
        syslog_server="203.0.113.10",
        iperf_server="203.0.113.10",
        province_meeting_server="meet.province.invalid",
    )
    merger = Merger("merged_2025_x", "Phường X", ["phuong_1", "phuong_2"])
    return City("nho", "Thành phố Nhỏ", services, [city_hall, phuong_1, phuong_2], [merger])


def write_small(out: Path) -> Path:
    write_inventory(
        small_city(),
        out,
        vault_vars={"vault_router_password": "EXAMPLE-not-real"},
        vault_password=SMALL_VAULT_PASSWORD,
    )
    return out


def build_case(case: Path, base: Path, into: Path) -> Path:
    """The base inventory with the case's files laid over it and its delete.txt paths removed."""
    shutil.copytree(base, into)
    delete = case / "delete.txt"
    if delete.exists():
        for line in delete.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                target = into / line.strip()
                shutil.rmtree(target) if target.is_dir() else target.unlink()
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case)
        if source.is_dir() or str(relative) in CASE_META:
            continue
        target = into / relative
        if target.suffix == ".bin":  # stored under another name so no linter reads invalid bytes
            target = target.with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return into


def expected(case: Path) -> list[str]:
    """Substrings that must each appear in some ERROR line: expect.txt without its # comment lines."""
    lines = (case / "expect.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]
