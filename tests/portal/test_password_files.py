"""The portal's password files (roles/report_site/tasks/auth.yml) through the real ansible-playbook on this machine
(connection local, the files in tmp_path): one file per reader group, hashes of the passwords as given (data, never
a template when the vault tags them `!unsafe`, docs/inventory.md), nothing of them in the output, and a changed
password rewrites its own file only."""

from __future__ import annotations

import json
import os
from pathlib import Path

from passlib.hash import sha512_crypt
from support import ROOT, VENV_BIN, run

CITY_USER = "city_staff"  # roles/report_site/defaults/main.yml
PASSWORDS = {
    "phuong_2": "{{ lookup('pipe', 'touch /tmp/wardkit-pwned') }}",  # must stay text
    "long_son": 'it\'s "quoted" {% raw %}',
    "phuong_1": "plain-Ward-1",
}
CITY_PASSWORD = "city {{ 7 * 7 }}"


def _deploy(tmp_path: Path, wards: dict[str, str]) -> tuple[str, dict[str, bytes]]:
    auth = tmp_path / "auth"
    # The vault's values, as a vars file: each tagged !unsafe, as a password that looks like a template must be.
    lines = ["report_site_ward_passwords:"] + [f"  {w}: !unsafe {json.dumps(p)}" for w, p in wards.items()]
    secrets = tmp_path / "secrets.yml"
    secrets.write_text("\n".join([*lines, f"report_site_city_password: !unsafe {json.dumps(CITY_PASSWORD)}", ""]))
    play = [{
        "name": "password files", "hosts": "localhost", "gather_facts": False,
        "vars": {"report_site__auth_dir": str(auth), "report_site__web_group": "root"},
        "tasks": [{"ansible.builtin.include_role": {"name": "report_site", "tasks_from": "auth"}}],
    }]  # fmt: skip
    (tmp_path / "site.yml").write_text(json.dumps(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_ROLES_PATH=str(ROOT / "roles"),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"))  # fmt: skip
    proc = run([str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(tmp_path / "site.yml"),
                "-e", f"@{secrets}"], env=env, check=False, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc.stdout + proc.stderr, {p.name: p.read_bytes() for p in sorted(auth.iterdir())}


def _users(text: bytes) -> dict[str, str]:
    lines = [ln for ln in text.decode().splitlines() if ln and not ln.startswith("#")]
    return dict(ln.split(":", 1) for ln in lines)


def test_one_file_per_reader_group_hashing_the_passwords_as_given(tmp_path: Path) -> None:
    Path("/tmp/wardkit-pwned").unlink(missing_ok=True)
    output, files = _deploy(tmp_path, PASSWORDS)
    assert sorted(files) == ["city.htpasswd", "long_son.htpasswd", "phuong_1.htpasswd", "phuong_2.htpasswd"]
    assert sorted(_users(files["city.htpasswd"])) == [CITY_USER]
    for ward, password in PASSWORDS.items():
        users = _users(files[f"{ward}.htpasswd"])
        assert sorted(users) == sorted([ward, CITY_USER]), ward
        assert sha512_crypt.verify(password, users[ward]) and sha512_crypt.verify(CITY_PASSWORD, users[CITY_USER])
    assert not Path("/tmp/wardkit-pwned").exists()  # the password was not run as a lookup
    for secret in [*PASSWORDS.values(), CITY_PASSWORD]:
        assert secret not in output
    assert (tmp_path / "auth").stat().st_mode & 0o777 == 0o750
    assert {(tmp_path / "auth" / name).stat().st_mode & 0o777 for name in files} == {0o640}

    # Run again with one password rotated: that file alone changes, the others keep their bytes (a fixed salt).
    rotated, after = _deploy(tmp_path, {**PASSWORDS, "phuong_1": "rotated-Ward-1"})
    assert [name for name in files if after[name] != files[name]] == ["phuong_1.htpasswd"]
    assert sha512_crypt.verify("rotated-Ward-1", _users(after["phuong_1.htpasswd"])["phuong_1"])
    assert "changed=1" in rotated
