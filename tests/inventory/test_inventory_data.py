"""Inventory data stays data: no template or control character gets in by import, and `check` flags them.

Ansible evaluates every inventory string as Jinja, so a ward name like `{{ lookup('pipe', ...) }}` runs on the
controller. The proof uses a marker file: a probe that creates it through the unguarded path shows the probe
is live, and the same payload through `wardctl inventory import` must never create it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from inventory_helpers import EXAMPLE_CSV, ROOT, SMALL_VAULT_PASSWORD, VENV_BIN, WARDCTL, small_city, write_small

from wardctl.errors import WardctlError
from wardctl.inventory import writer
from wardctl.inventory.checks import check_inventory
from wardctl.inventory.importer import COLUMNS
from wardctl.inventory.layout import DATA_FIELDS

EXAMPLE_ROWS = list(csv.reader(io.StringIO(EXAMPLE_CSV.read_text(encoding="utf-8"))))
HEADER = EXAMPLE_ROWS[0]
MARKERS = ("{{ 7 * 7 }}", "{% if true %}x{% endif %}", "{# note #}")
CONTROLS = {
    "newline": "Phường\n3",
    "carriage return": "Phường\r3",
    "tab": "Phường\t3",
    "escape": "Phường\x1b[31m3",
    "DEL": "Phường\x7f3",
    "C1 NEL": "Phường\x853",
    "line separator": "Phường\u20283",
}


def wardctl(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WARDCTL, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def with_cells(edits: dict[tuple[str, str], str]) -> list[list[str]]:
    """The example spreadsheet with the cells (ward id, column) replaced."""
    rows = [list(row) for row in EXAMPLE_ROWS]
    for (ward, column), value in edits.items():
        row = next(r for r in rows[1:] if r[0] == ward)
        row[HEADER.index(column)] = value
    return rows


def files_of(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def error_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("ERROR ")]


# --- import -----------------------------------------------------------------------------------------------


def test_import_refuses_a_template_in_every_column_one_line_per_cell(tmp_path: Path) -> None:
    # phuong_3 (CSV line 5): every cell but its id; phuong_5 (line 7): only its id, so the row is named by line.
    edits = {("phuong_3", c): f"{c} {MARKERS[i % 3]}" for i, c in enumerate(COLUMNS) if c != "ward_id"}
    edits["phuong_5", "ward_id"] = "phuong_5{{ 1 }}"
    source = write_rows(tmp_path / "wards.csv", with_cells(edits))
    out = tmp_path / "out"
    proc = wardctl("inventory", "import", str(source), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr == ""
    wanted = [f"ERROR wards.csv:5 phuong_3: {c}: contains the template marker" for c in COLUMNS if c != "ward_id"]
    wanted.append("ERROR wards.csv:7 row 7: ward_id: contains the template marker '{{'")
    errors = error_lines(proc.stdout)
    assert len(errors) == len(wanted), "\n".join(errors)  # one line per bad cell, nothing else
    for line in wanted:
        assert sum(e.startswith(line) for e in errors) == 1, f"{line!r} not once in:\n{proc.stdout}"
    assert "wards.csv: 13 error(s); nothing written" in proc.stdout
    assert not out.exists()


@pytest.mark.parametrize("what", sorted(CONTROLS))
def test_import_refuses_control_characters(what: str, tmp_path: Path) -> None:
    rows = with_cells({("phuong_3", "display_name"): CONTROLS[what], ("phuong_7", "technician_name"): "Đặng\tVăn"})
    source = write_rows(tmp_path / "wards.csv", rows)
    out = tmp_path / "out"
    proc = wardctl("inventory", "import", str(source), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = error_lines(proc.stdout)
    assert len(errors) == 2, proc.stdout
    assert errors[0].startswith("ERROR wards.csv:5 phuong_3: display_name: contains a control character")
    # A line break inside a quoted cell moves the rows after it one line down in the file, not in the count.
    line = 9 if CONTROLS[what] in ("Phường\n3", "Phường\r3") else 8
    assert errors[1] == (
        f"ERROR wards.csv:{line} phuong_7: technician_name: contains a control character, tab (U+0009); "
        "data must be one line of plain text"
    )
    # No output line is broken by what it reports.
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028]", proc.stdout)
    assert not out.exists()


def test_a_refused_import_leaves_the_existing_inventory_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "inv"
    assert wardctl("inventory", "import", str(EXAMPLE_CSV), "--out", str(out), cwd=tmp_path).returncode == 0
    before = files_of(out)
    source = write_rows(tmp_path / "bad.csv", with_cells({("long_son", "wan_interface"): "ether1 {{ x }}"}))
    proc = wardctl("inventory", "import", str(source), "--out", str(out), "--force", cwd=tmp_path)
    assert proc.returncode == 1
    assert error_lines(proc.stdout) == [
        "ERROR bad.csv:19 long_son: wan_interface: contains the template marker '{{', which Ansible would run "
        "as code; remove it"
    ]
    assert files_of(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "inv"]  # no staging directory either


def test_writer_refuses_unsafe_data_from_any_caller(tmp_path: Path) -> None:
    """Defence in depth: the lab generator and scripts write through the same writer as the importer."""
    city = small_city()
    city.wards[1].technician_name = "{{ lookup('env', 'HOME') }}"
    with pytest.raises(WardctlError, match=r"^phuong_1: ward_technician_name: contains the template marker"):
        writer.write_inventory(city, tmp_path / "a", vault_vars={}, vault_password="pw")
    city = small_city()
    city.mergers[0].display_name = "Phường X\nall: {}"  # would break out of the YAML comment it is also in
    with pytest.raises(WardctlError, match=r"^merged_2025_x: merged_2025_display_name: contains a control"):
        writer.write_inventory(city, tmp_path / "b", vault_vars={}, vault_password="pw")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


# --- check ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small(tmp_path_factory.mktemp("small") / "inventory")


def set_value(path: Path, var: str, yaml_value: str) -> int:
    """Replace the value of the first `var:` line (at any indent) of the file; returns its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        match = re.match(rf"^(\s*){re.escape(var)}:", line)
        if match:
            lines[number - 1] = f"{match.group(1)}{var}: {yaml_value}"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return number
    raise AssertionError(f"{var} not in {path}")


# (file, variable, subject): every data field the small city has, where the writer put it.
DATA_CASES = [
    ("group_vars/phuong_1.yml", "ward_display_name", "phuong_1"),
    ("group_vars/phuong_1.yml", "ward_kind", "phuong_1"),
    ("group_vars/phuong_1.yml", "ward_technician_name", "phuong_1"),
    ("group_vars/phuong_1.yml", "ward_technician_phone", "phuong_1"),
    ("host_vars/phuong_1-router.yml", "ansible_host", "phuong_1-router"),
    ("host_vars/phuong_1-router.yml", "ansible_port", "phuong_1-router"),
    ("host_vars/phuong_1-router.yml", "router_wan_interface", "phuong_1-router"),
    ("host_vars/phuong_1-router.yml", "router_line_down_mbps", "phuong_1-router"),
    ("host_vars/phuong_2-room.yml", "ansible_host", "phuong_2-room"),
    ("host_vars/city_hall-pc-noi_vu.yml", "leader_department", "city_hall-pc-noi_vu"),
    ("merger_2025.yml", "merged_2025_display_name", "merged_2025_x"),
    ("group_vars/all/city.yml", "city_id", "city"),
    ("group_vars/all/city.yml", "city_display_name", "city"),
    ("group_vars/all/city.yml", "city_mirror_url", "city"),
    ("group_vars/all/city.yml", "city_syslog_server", "city"),
    ("group_vars/all/city.yml", "city_province_meeting_server", "city"),
    ("group_vars/all/city.yml", "city_conference_service", "city"),
]


@pytest.mark.parametrize(("relative", "var", "subject"), DATA_CASES, ids=[f"{f[2]}.{f[1]}" for f in DATA_CASES])
@pytest.mark.parametrize("marker", MARKERS, ids=["expression", "statement", "comment"])
def test_check_flags_a_template_in_each_data_field(
    relative: str, var: str, subject: str, marker: str, small_inventory: Path, tmp_path: Path
) -> None:
    inventory = Path(shutil.copytree(small_inventory, tmp_path / "inv"))
    line = set_value(inventory / relative, var, f'"x {marker}"')
    errors = [str(p) for p in check_inventory(inventory) if p.is_error]
    opener = marker[:2]
    assert errors == [
        f"ERROR {inventory / relative}:{line} {subject}: {var}: contains the template marker {opener!r}, "
        "which Ansible would run as code; remove it"
    ]  # one line: no second finding (not an address, not a number...) on the same value


@pytest.mark.parametrize("what", sorted(CONTROLS))
def test_check_flags_control_characters_in_data(what: str, small_inventory: Path, tmp_path: Path) -> None:
    inventory = Path(shutil.copytree(small_inventory, tmp_path / "inv"))
    escaped = CONTROLS[what].encode("unicode_escape").decode("ascii")  # as a YAML double-quoted escape
    line = set_value(inventory / "group_vars/phuong_2.yml", "ward_technician_name", f'"{escaped}"')
    errors = [str(p) for p in check_inventory(inventory) if p.is_error]
    assert len(errors) == 1, errors
    assert errors[0].startswith(
        f"ERROR {inventory}/group_vars/phuong_2.yml:{line} phuong_2: ward_technician_name: contains a control character"
    )


@pytest.mark.parametrize(
    ("var", "item"),
    [("city_dns_servers", "203.0.113.53"), ("city_wards", "phuong_2"), ("city_mgmt_subnets", "203.0.113.0/25")],
)
def test_check_flags_a_template_in_a_list_item_on_its_own_line(
    var: str, item: str, small_inventory: Path, tmp_path: Path
) -> None:
    inventory = Path(shutil.copytree(small_inventory, tmp_path / "inv"))
    city = inventory / "group_vars/all/city.yml"
    text = city.read_text(encoding="utf-8")
    assert f"  - {item}\n" in text
    city.write_text(text.replace(f"  - {item}\n", f'  - {item}\n  - "{{{{ x }}}}\\n"\n'), encoding="utf-8")  # one more
    line = city.read_text(encoding="utf-8").splitlines().index('  - "{{ x }}\\n"') + 1
    errors = [str(p) for p in check_inventory(inventory) if p.is_error]
    # One line: not also "not an address", "not a group name" or "ward group not in the registry".
    assert [e for e in errors if "city_wards" in e or var in e] == [
        f"ERROR {city}:{line} city: {var}: contains the template marker '{{{{', which Ansible would "
        "run as code; remove it"
    ]
    assert all("{{" not in e for e in errors if not e.startswith(f"ERROR {city}:{line} city: {var}:"))


@pytest.mark.parametrize(
    ("relative", "var", "value", "allowed"),
    [
        ("group_vars/routers.yml", "router_password", '"{{ vault_router_password }}"', True),
        ("group_vars/routers.yml", "router_password", '"{{vault_router_password}}"', True),
        ("group_vars/routers.yml", "router_password", "\"{{ vault_router_password | default('x') }}\"", False),
        ("group_vars/routers.yml", "router_password", "\"{{ lookup('pipe', 'id') }}\"", False),
        ("group_vars/routers.yml", "router_username", '"{{ vault_router_username }} {{ x }}"', False),
        ("group_vars/routers.yml", "router_enable_secret", '"{% if vault_x %}{{ vault_x }}{% endif %}"', False),
        ("group_vars/windows.yml", "ansible_user", "\"{{ vault_windows_admin_user ~ lookup('env', 'X') }}\"", False),
        ("group_vars/windows.yml", "ansible_password", '"{# vault_windows_admin_password #}"', False),
        # A kit setting (not data, not a credential) may be a template: roles' defaults are, too.
        ("group_vars/linux.yml", "endpoint_platform", "\"{{ 'linux' }}\"", True),
    ],
)
def test_credentials_allow_exactly_one_vault_reference(
    relative: str, var: str, value: str, allowed: bool, small_inventory: Path, tmp_path: Path
) -> None:
    inventory = Path(shutil.copytree(small_inventory, tmp_path / "inv"))
    line = set_value(inventory / relative, var, value)
    errors = [str(p) for p in check_inventory(inventory) if p.is_error]
    if allowed:
        assert errors == []
    else:
        subject = Path(relative).stem
        assert errors == [
            f"ERROR {inventory / relative}:{line} {subject}: {var}: a template here may only be one vault "
            f'variable, like "{{{{ vault_{var} }}}}"; anything more runs as code'
        ]


def test_unsafe_tagged_text_is_inert_but_still_one_line(small_inventory: Path, tmp_path: Path) -> None:
    inventory = Path(shutil.copytree(small_inventory, tmp_path / "inv"))
    ward = inventory / "group_vars/phuong_1.yml"
    set_value(ward, "ward_display_name", '!unsafe "Phường {{ 1 }}"')  # Ansible never evaluates it
    assert [str(p) for p in check_inventory(inventory) if p.is_error] == []
    line = set_value(ward, "ward_display_name", '!unsafe "Phường\\n1"')
    assert [str(p) for p in check_inventory(inventory) if p.is_error] == [
        f"ERROR {ward}:{line} phuong_1: ward_display_name: contains a control character, newline (U+000A); "
        "data must be one line of plain text"
    ]


# --- the proof: a marker file that must not appear -------------------------------------------------------------


def payload(marker: Path) -> str:
    return f"{{{{ lookup('pipe', 'touch {marker}') }}}}"


def ansible_uses(inventory: Path, password: str, tmp_path: Path) -> tuple[dict, str]:
    """`ansible-inventory --list`, then an ad-hoc evaluation of phuong_1's name, on localhost only (-c local).

    Returns the listing and the evaluated name."""
    password_file = tmp_path / "vault-password"
    password_file.write_text(password + "\n", encoding="utf-8")
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_CALLBACK_RESULT_FORMAT": "json"}
    vault = ["--vault-password-file", str(password_file)]

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True)

    listing = run(str(VENV_BIN / "ansible-inventory"), "-i", str(inventory), "--list", *vault)
    host = "phuong_1-room"  # a host of the ward; only its variables are read, nothing connects to it
    debug = run(
        str(VENV_BIN / "ansible"), "-i", str(inventory), "localhost", "-c", "local", *vault,
        # As roles use it: conference_client_room_name defaults to this expression.
        "-m", "debug", "-a", f"msg={{{{ hostvars['{host}'].ward_display_name | default(inventory_hostname) }}}}",
    )  # fmt: skip
    return json.loads(listing.stdout), json.loads(debug.stdout.split("=>", 1)[1])["msg"]


def test_marker_proof(tmp_path: Path) -> None:
    imported = tmp_path / "imported"
    assert wardctl("inventory", "import", str(EXAMPLE_CSV), "--out", str(imported), cwd=tmp_path).returncode == 0
    password = writer.EXAMPLE_VAULT_PASSWORD  # what the import encrypted its placeholder vault with

    # The probe is live: the payload in a data field, as an unguarded importer wrote it, runs when used...
    control = Path(shutil.copytree(imported, tmp_path / "unguarded"))
    control_marker = tmp_path / "MARKER-unguarded"
    ward_file = control / "group_vars/phuong_1.yml"
    line = set_value(ward_file, "ward_display_name", f'"{payload(control_marker)}"')
    ansible_uses(control, password, tmp_path)
    assert control_marker.exists(), "the probe did not run: this test would prove nothing"
    # ...and `wardctl inventory check` names file, line, ward and field.
    proc = wardctl("inventory", "check", "-i", str(control))
    assert proc.returncode == 1
    assert error_lines(proc.stdout) == [
        f"ERROR {ward_file}:{line} phuong_1: ward_display_name: contains the template marker '{{{{', "
        "which Ansible would run as code; remove it"
    ]

    # Through the importer, the same payload is refused and the inventory in use keeps its data.
    marker = tmp_path / "MARKER-import"
    source = write_rows(tmp_path / "wards.csv", with_cells({("phuong_1", "display_name"): payload(marker)}))
    proc = wardctl("inventory", "import", str(source), "--out", str(imported), "--force", cwd=tmp_path)
    assert proc.returncode == 1 and "nothing written" in proc.stdout
    fresh = tmp_path / "fresh"
    assert wardctl("inventory", "import", str(source), "--out", str(fresh), cwd=tmp_path).returncode == 1
    assert not fresh.exists()
    listing, debug = ansible_uses(imported, password, tmp_path)
    assert listing["_meta"]["hostvars"]["phuong_1-room"]["ward_display_name"] == "Phường 1"
    assert debug == "Phường 1"  # evaluated, and it is the name, not the payload
    assert not marker.exists()


def test_an_unsafe_vault_reference_is_a_plain_text_secret(small_inventory: Path, tmp_path: Path) -> None:
    inventory = Path(shutil.copytree(small_inventory, tmp_path / "inv"))
    routers = inventory / "group_vars/routers.yml"
    line = set_value(routers, "router_password", '!unsafe "{{ vault_router_password }}"')  # never looked up
    assert [str(p) for p in check_inventory(inventory) if p.is_error] == [
        f"ERROR {routers}:{line} routers: router_password: secret in plain text: move it to "
        'group_vars/all/vault.yml and write "{{ vault_router_password }}" here (or use !vault)'
    ]


def test_the_documented_data_fields_are_the_checked_ones() -> None:
    text = (ROOT / "docs" / "inventory.md").read_text(encoding="utf-8")
    section = text[text.index("## Data stays data") :]
    listed = section[section.index("data about people and places") : section.index("(the list is `DATA_FIELDS`")]
    assert set(re.findall(r"`(\w+)`", listed)) == set(DATA_FIELDS)


def test_unsafe_tagged_data_is_listed_as_an_object_and_inert_when_used(small_inventory: Path, tmp_path: Path) -> None:
    """Why `check` accepts a marker inside `!unsafe` (inert when used), and why the writer does not emit the tag
    (`ansible-inventory --list` then shows an object where consumers expect a string)."""
    inventory = Path(shutil.copytree(small_inventory, tmp_path / "inv"))
    marker = tmp_path / "MARKER-unsafe"
    set_value(inventory / "group_vars/phuong_1.yml", "ward_display_name", f'!unsafe "Phường {payload(marker)}"')
    assert not [p for p in check_inventory(inventory) if p.is_error]
    listing, debug = ansible_uses(inventory, SMALL_VAULT_PASSWORD, tmp_path)
    assert listing["_meta"]["hostvars"]["phuong_1-room"]["ward_display_name"] == {
        "__ansible_unsafe": f"Phường {payload(marker)}"
    }
    assert debug == f"Phường {payload(marker)}"  # used, and stays text
    assert not marker.exists()
