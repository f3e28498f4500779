"""`wardctl inventory import`: the example spreadsheet becomes a valid inventory; bad ones write nothing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from inventory_helpers import EXAMPLE_CSV, PRODUCTION, ROOT, VENV_BIN, WARDCTL

from wardctl.inventory.check import check_inventory
from wardctl.inventory.importer import read_csv
from wardctl.inventory.writer import EXAMPLE_VAULT_PASSWORD

EXAMPLE = EXAMPLE_CSV.read_text(encoding="utf-8")
VIETNAMESE_HEADER = (
    "Mã phường;Tên phường;Loại;Loại router;Địa chỉ router;Cổng router;Cổng WAN;Tốc độ xuống (Mbps);"
    "Tốc độ lên (Mbps);Địa chỉ phòng họp;Hệ điều hành;Kỹ thuật viên;Số điện thoại"
)


def wardctl(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WARDCTL, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def write_csv(path: Path, text: str, *, bom: bool = False, semicolons: bool = False) -> Path:
    if semicolons:  # the example has no commas inside cells, so this is what Excel in vi-VN would save
        text = text.replace(",", ";")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def replace_line(text: str, number: int, old: str, new: str) -> str:
    lines = text.splitlines(keepends=True)
    assert old in lines[number - 1], lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new)
    return "".join(lines)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("imported") / "vungtau"
    proc = wardctl("inventory", "import", str(EXAMPLE_CSV), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "wrote" in proc.stdout and "OK: 0 error(s)" in proc.stdout
    return out


def test_example_csv_imports_to_a_valid_inventory(imported: Path) -> None:
    problems = check_inventory(imported)
    assert not [p for p in problems if p.is_error]
    assert any("placeholder" in p.message for p in problems)


def test_import_with_city_from_reproduces_production(tmp_path: Path) -> None:
    out = tmp_path / "again"
    proc = wardctl("inventory", "import", str(EXAMPLE_CSV), "--out", str(out), "--city-from", str(PRODUCTION))
    assert proc.returncode == 0, proc.stdout + proc.stderr

    def content(root: Path) -> dict[str, list[str]]:
        return {
            str(p.relative_to(root)): [
                line for line in p.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
            ]
            for p in root.rglob("*.yml")
        }

    assert content(out) == content(PRODUCTION)  # equal but for the comment header (vault copied verbatim)


def test_ansible_parses_the_imported_inventory(imported: Path, tmp_path: Path) -> None:
    password = tmp_path / "vault-password"
    password.write_text(EXAMPLE_VAULT_PASSWORD + "\n", encoding="utf-8")
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    ansible_inventory = str(VENV_BIN / "ansible-inventory")
    base = [ansible_inventory, "-i", str(imported), "--vault-password-file", str(password)]
    graph = subprocess.run(
        [*base, "--graph"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    for group in (
        "@wards:",
        "@phuong_3:",
        "@long_son:",
        "@cisco_ios:",
        "@mikrotik_routeros:",
        "@meeting_rooms:",
        "@windows:",
    ):
        assert group in graph.stdout, graph.stdout
    listing = subprocess.run(
        [*base, "--list"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    data = json.loads(listing.stdout)
    assert data["mikrotik_routeros"]["hosts"] == ["thang_nhat-router", "rach_dua-router", "long_son-router"]
    router = data["_meta"]["hostvars"]["long_son-router"]
    assert router["router_line_down_mbps"] == 30 and router["router_wan_interface"] == "ether1"
    assert router["vault_router_password"] == "CHANGE-ME"  # the placeholder vault decrypts
    assert data["_meta"]["hostvars"]["phuong_4-room"]["ansible_port"] == 5986


def test_bom_semicolons_and_vietnamese_headers(tmp_path: Path) -> None:
    body = EXAMPLE.split("\n", 1)[1]
    source = write_csv(tmp_path / "wards.csv", VIETNAMESE_HEADER + "\n" + body.replace(",", ";"), bom=True)
    result = read_csv(source)
    assert not result.problems
    assert [w.id for w in result.wards][:3] == ["city_hall", "phuong_1", "phuong_2"]
    assert result.wards[-1].display_name == "Xã Long Sơn"


@pytest.mark.parametrize(
    ("name", "edit", "wanted"),
    [
        (
            "bad_number",
            lambda t: replace_line(t, 5, ",100,40,", ",nhanh,40,"),
            ["bad_number.csv:5 phuong_3: line_down_mbps: must be a positive number, got 'nhanh'"],
        ),
        (
            "unknown_device_type",
            lambda t: replace_line(t, 7, "cisco_ios", "juniper_junos"),
            ["unknown_device_type.csv:7 phuong_5: router_type: unknown device type 'juniper_junos'"],
        ),
        (
            "duplicate_ward",
            lambda t: replace_line(t, 9, "phuong_8,Phường 8", "phuong_7,Phường 8"),
            ["duplicate_ward.csv:9 phuong_7: ward_id: ward phuong_7 is also on line 8"],
        ),
        (
            "missing_column",
            lambda t: t.replace(",wan_interface,", ",wan_iface,", 1),
            ["missing_column.csv:1 header: wan_interface: missing column"],
        ),
        (
            "bom_semicolon",
            lambda t: replace_line(t.replace(",", ";"), 4, ";100;40;", ";0;-3;"),
            [
                "bom_semicolon.csv:4 phuong_2: line_down_mbps: must be a positive number, got '0'",
                "bom_semicolon.csv:4 phuong_2: line_up_mbps: must be a positive number, got '-3'",
            ],
        ),
        (
            "bad_address",
            lambda t: replace_line(t, 3, "198.51.100.111", "198.51.100.256"),
            ["bad_address.csv:3 phuong_1: endpoint_address: not a valid IP address: '198.51.100.256'"],
        ),
    ],
)
def test_bad_csv_fails_and_writes_nothing(name: str, edit, wanted: list[str], tmp_path: Path) -> None:
    source = write_csv(tmp_path / f"{name}.csv", edit(EXAMPLE), bom=name == "bom_semicolon")
    out = tmp_path / "out"
    proc = wardctl("inventory", "import", str(source), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("ERROR ")]
    for substring in wanted:
        assert any(substring in line for line in errors), f"{substring!r} not in:\n{proc.stdout}"
    assert "nothing written" in proc.stdout
    assert not out.exists()


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "hosts.yml").write_text("---\nall: {}\n", encoding="utf-8")
    proc = wardctl("inventory", "import", str(EXAMPLE_CSV), "--out", str(out))
    assert proc.returncode == 1
    assert "use --force" in proc.stderr
    assert (out / "hosts.yml").read_text(encoding="utf-8") == "---\nall: {}\n"
    proc = wardctl("inventory", "import", str(EXAMPLE_CSV), "--out", str(out), "--force")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "phuong_3" in (out / "hosts.yml").read_text(encoding="utf-8")
