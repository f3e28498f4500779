"""`wardctl inventory check`: the production inventory passes, each broken case fails with a useful line."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from inventory_helpers import BROKEN, PRODUCTION, ROOT, WARDCTL, build_case, expected, write_small

from wardctl.inventory.check import check_inventory
from wardctl.inventory.reader import load_raw, read_inventory

CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())
# These run through the installed console script, to prove the user sees lines, not a traceback.
VIA_CLI = {"yaml_syntax_error", "invalid_utf8", "hosts_is_list", "hosts_is_directory", "literal_password"}


@pytest.fixture(scope="module")
def small_inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small valid city, written once; the broken cases are copies of it with files laid over."""
    return write_small(tmp_path_factory.mktemp("small") / "inventory")


def wardctl(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WARDCTL, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_production_passes_with_placeholder_warnings() -> None:
    proc = wardctl("inventory", "check", "-i", str(PRODUCTION))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert not [line for line in lines if line.startswith("ERROR")]
    assert (
        "WARNING inventory/vungtau/host_vars/phuong_3-router.yml:6 phuong_3-router: ansible_host: placeholder"
        in proc.stdout
    )
    assert any(line.startswith("WARNING") and "long_son-room: ansible_host: placeholder" in line for line in lines)
    assert re.fullmatch(r"inventory/vungtau: OK: 0 error\(s\), \d+ warning\(s\)", lines[-1])


def test_default_inventory_comes_from_configuration(small_inventory: Path, tmp_path: Path) -> None:
    """No city is built in: WARDCTL_INVENTORY, else the inventory Ansible itself would use (ansible.cfg)."""
    clean = {
        k: v for k, v in os.environ.items() if k not in ("WARDCTL_INVENTORY", "ANSIBLE_INVENTORY", "ANSIBLE_CONFIG")
    }
    proc = wardctl("inventory", "check", env={**clean, "WARDCTL_INVENTORY": "inventory/vungtau"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("inventory/vungtau: OK")

    kit = tmp_path / "kit"
    (kit / "playbooks").mkdir(parents=True)
    shutil.copytree(small_inventory, kit / "cities" / "small")
    (kit / "ansible.cfg").write_text("[defaults]\ninventory = cities/small\n", encoding="utf-8")
    proc = wardctl("inventory", "check", cwd=kit / "playbooks", env={**clean, "WARDCTL_ROOT": str(kit)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Relative to the config file, not to the working directory (as Ansible reads it).
    assert re.fullmatch(rf"{kit}/cities/small: OK: 0 error\(s\), \d+ warning\(s\)", proc.stdout.splitlines()[-1])

    (kit / "ansible.cfg").write_text("[defaults]\nforks = 5\n", encoding="utf-8")
    proc = wardctl("inventory", "check", cwd=kit, env={**clean, "WARDCTL_ROOT": str(kit)})
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and "pass -i DIR, or set WARDCTL_INVENTORY" in proc.stderr


def test_strict_fails_on_placeholders() -> None:
    proc = wardctl("inventory", "check", "-i", str(PRODUCTION), "--strict")
    assert proc.returncode == 1


def test_json_report() -> None:
    proc = wardctl("inventory", "check", "-i", str(PRODUCTION), "--json")
    assert proc.returncode == 0
    report = json.loads(proc.stdout)
    assert report["ok"] is True and report["errors"] == 0 and report["warnings"] > 40
    first = report["problems"][0]
    assert set(first) == {"severity", "subject", "field", "message", "file", "line"}


def test_no_literal_password_line_in_production() -> None:
    literal = re.compile(r"^\s*\w*password\w*:\s*(?![\"']?\{\{)\S", re.IGNORECASE)
    for path in PRODUCTION.rglob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert not literal.match(line), f"{path}: {line}"


def test_small_base_is_valid(small_inventory: Path) -> None:
    assert not [p for p in check_inventory(small_inventory) if p.is_error]


@pytest.mark.parametrize("case", CASES)
def test_broken_case(case: str, small_inventory: Path, tmp_path: Path) -> None:
    inventory = build_case(BROKEN / case, small_inventory, tmp_path / case)
    wanted = expected(BROKEN / case)
    assert wanted, f"{case}: expect.txt lists nothing"
    if case in VIA_CLI:
        proc = wardctl("inventory", "check", "-i", str(inventory))
        assert proc.returncode == 1, proc.stdout
        assert "Traceback" not in proc.stderr and proc.stderr == "", proc.stderr
        errors = [line for line in proc.stdout.splitlines() if line.startswith("ERROR ")]
        assert "FAILED" in proc.stdout.splitlines()[-1]
    else:
        errors = [str(p) for p in check_inventory(inventory) if p.is_error]
    for substring in wanted:
        assert any(substring in line for line in errors), f"{case}: no ERROR line has {substring!r}:\n" + "\n".join(
            errors
        )


def test_missing_directory(tmp_path: Path) -> None:
    proc = wardctl("inventory", "check", "-i", str(tmp_path / "nowhere"))
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"ERROR {tmp_path / 'nowhere'} nowhere: inventory: no such directory")
    assert "Traceback" not in proc.stderr


def test_every_error_line_has_the_documented_shape(small_inventory: Path, tmp_path: Path) -> None:
    shape = re.compile(r"^(ERROR|WARNING) (\S+(:\d+)? )?[^\s:]+: [^:]+: .+$")
    for case in CASES:
        inventory = build_case(BROKEN / case, small_inventory, tmp_path / case)
        for problem in check_inventory(inventory):
            assert shape.match(str(problem)), f"{case}: {problem}"


def test_vault_tagged_values_and_encrypted_files_are_accepted(small_inventory: Path, tmp_path: Path) -> None:
    inventory = build_case(BROKEN / "literal_password", small_inventory, tmp_path / "inv")
    ciphertext = (small_inventory / "group_vars/all/vault.yml").read_text(encoding="utf-8")
    tagged = "\n".join("    " + line for line in ciphertext.splitlines())
    (inventory / "host_vars/city_hall-pc-noi_vu.yml").write_text(
        f"---\nansible_host: 203.0.113.101\nleader_department: Phòng Nội vụ\nansible_password: !vault |\n{tagged}\n",
        encoding="utf-8",
    )
    (inventory / "host_vars/phuong_2-room.yml").write_text(ciphertext, encoding="utf-8")  # whole file encrypted
    assert not [str(p) for p in check_inventory(inventory) if p.is_error]


def test_jinja_references_stay_strings(small_inventory: Path) -> None:
    raw = load_raw(small_inventory)
    assert raw.group_vars["routers"].values["router_password"] == "{{ vault_router_password }}"
    assert read_inventory(small_inventory).ward("phuong_2").router.line_up_mbps == 10.5


def test_a_password_rotation_is_mapped_by_a_plain_vault_reference(small_inventory: Path, tmp_path: Path) -> None:
    """roles/router/README.md's rotation: `router_password_next` refers to the vault like `router_password`;
    anything more (a filter, a literal) is refused, naming the variable."""
    with_lines = appended(small_inventory, tmp_path, "group_vars/routers.yml")
    assert not errors_of(with_lines('router_password_next: "{{ vault_router_password_next }}"'))
    for bad in ('"{{ vault_router_password_next | default(omit) }}"', "Plain-new-password-1"):
        errors = errors_of(with_lines(f"router_password_next: {bad}"))
        assert len(errors) == 1 and "router_password_next" in errors[0], errors


def test_the_citys_schedule_is_optional_and_checked(small_inventory: Path, tmp_path: Path) -> None:
    """city_rollout_deadline / city_timezone: read into the City when set, refused in one line when unreadable."""
    with_lines = appended(small_inventory, tmp_path, "group_vars/all/city.yml")
    inventory = with_lines("city_rollout_deadline: 2030-06-30", "city_timezone: Asia/Ho_Chi_Minh")
    assert not errors_of(inventory)
    read = read_inventory(inventory)
    assert (read.rollout_deadline, read.timezone) == ("2030-06-30", "Asia/Ho_Chi_Minh")
    errors = sorted(errors_of(with_lines("city_rollout_deadline: end of June", "city_timezone: Mars/Olympus")))
    assert len(errors) == 2 and "city_rollout_deadline" in errors[0] and "city_timezone" in errors[1], errors


def appended(small_inventory: Path, tmp_path: Path, name: str) -> Callable[..., Path]:
    """A copy of the small inventory whose file `name` gets the given lines (replacing the previous call's)."""
    inventory = tmp_path / "inv"
    shutil.copytree(small_inventory, inventory)
    target = inventory / name
    base = target.read_text(encoding="utf-8")

    def write(*lines: str) -> Path:
        target.write_text(base + "".join(f"{line}\n" for line in lines), encoding="utf-8")
        return inventory

    return write


def errors_of(inventory: Path) -> list[str]:
    return [str(p) for p in check_inventory(inventory) if p.is_error]
