"""wardkit.core.files, through the real ansible-playbook on this machine (connection local, files in tmp_path):
the same bytes as ansible.builtin.template, one run per group, idempotent, check mode and diff that write
nothing, attributes set again, and a failed validation that leaves the file and names it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, VENV_BIN, run

TEMPLATE = """# {{ ansible_managed }}
{% for name in files_test_names %}
allow {{ name }}
{% endfor %}
path {{ template_destpath }}
"""


def _tasks(out: Path, ref: Path, validate: str) -> list[dict[str, Any]]:
    return [
        {"name": "Reference: the same template by ansible.builtin.template", "ansible.builtin.template": {
            "src": "a.conf.j2", "dest": str(ref / "a.conf"), "mode": "0640"}},
        {"name": "The group", "register": "files_test_result", "wardkit.core.files": {
            "directories": [{"path": str(out / "sub" / "deeper"), "mode": "0750"}],
            "files": [
                {"dest": str(out / "sub" / "deeper" / "a.conf"), "template": "a.conf.j2", "mode": "0640"},
                {"dest": str(out / "b.txt"), "content": "plain {{ '{{' }} text\n", "validate": validate},
                {"dest": str(out / "c.conf"), "template": "a.conf.j2", "vars": {"files_test_names": ["only"]}},
            ],
            "absent": [str(out / "gone.txt")]}},
        {"name": "Keep the result", "ansible.builtin.copy": {
            "content": "{{ files_test_result | to_json }}", "dest": str(out.parent / "result.json"), "mode": "0600"},
         "check_mode": False, "diff": False},
    ]  # fmt: skip


@pytest.fixture
def play(tmp_path: Path) -> dict[str, Path]:
    role = tmp_path / "roles" / "files_test"
    (role / "templates").mkdir(parents=True)
    (role / "tasks").mkdir()
    (role / "templates" / "a.conf.j2").write_text(TEMPLATE)
    out, ref = tmp_path / "out", tmp_path / "ref"
    out.mkdir()
    ref.mkdir()
    (tmp_path / "site.yml").write_text(json.dumps([{
        "name": "files test", "hosts": "localhost", "gather_facts": False,
        "vars": {"files_test_names": ["a", "b"], "files_test_validate": "grep -q plain %s"},
        "roles": ["files_test"],
    }]))  # fmt: skip
    tasks = _tasks(out, ref, "{{ files_test_validate }}")
    (role / "tasks" / "main.yml").write_text(json.dumps(tasks))
    return {"dir": tmp_path, "out": out, "ref": ref}


def _run(play: dict[str, Path], *extra: str, expect_rc: int = 0) -> tuple[dict[str, Any], str]:
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_ROLES_PATH=str(play["dir"] / "roles"),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
               ANSIBLE_CACHE_PLUGIN_CONNECTION=str(play["dir"] / "facts"))  # fmt: skip
    result_file = play["dir"] / "result.json"
    result_file.unlink(missing_ok=True)
    proc = run([str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(play["dir"] / "site.yml"),
                *extra], env=env, check=False, timeout=120)  # fmt: skip
    assert proc.returncode == expect_rc, proc.stdout[-3000:] + proc.stderr[-2000:]
    return (json.loads(result_file.read_text()) if result_file.exists() else {}), proc.stdout


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_group_is_written_like_template_then_left_alone(play: dict[str, Path]) -> None:
    out = play["out"]
    (out / "gone.txt").write_text("a file the group no longer keeps\n")
    first, _ = _run(play)
    a, b = out / "sub" / "deeper" / "a.conf", out / "b.txt"
    c, gone = out / "c.conf", out / "gone.txt"
    assert first["changed"] and first["changed_paths"] == [str(a.parent), str(a), str(b), str(c), str(gone)]
    assert not gone.exists()
    assert "allow only\n" in c.read_text() and "allow a" not in c.read_text()  # the file's own vars
    reference = (play["ref"] / "a.conf").read_bytes()  # only template_destpath differs
    assert a.read_bytes() == reference.replace(str(play["ref"]).encode(), str(a.parent).encode())
    assert b.read_text() == "plain {{ text\n"  # content is data: not templated again
    assert (_mode(a), _mode(b), _mode(a.parent)) == (0o640, 0o644, 0o750)
    second, _ = _run(play)
    assert not second["changed"] and second["changed_paths"] == []
    # only what differs is set again: a mode put back, a file's content put back
    a.chmod(0o600)
    b.write_text("plain but edited\n")
    third, _ = _run(play)
    assert third["changed_paths"] == [str(a), str(b)] and _mode(a) == 0o640 and b.read_text() == "plain {{ text\n"
    assert sorted(p.name for p in out.iterdir()) == ["b.txt", "c.conf", "sub"]  # no temporary file left


def test_check_mode_shows_the_diff_and_writes_nothing(play: dict[str, Path]) -> None:
    _run(play)
    out = play["out"]
    (out / "b.txt").write_text("plain old\n")
    (out / "sub" / "deeper" / "a.conf").unlink()
    (out / "gone.txt").write_text("still here\n")
    result, stdout = _run(play, "--check", "--diff")
    assert result["changed"] and result["changed_paths"] == [
        str(out / "sub" / "deeper" / "a.conf"), str(out / "b.txt"), str(out / "gone.txt")]  # fmt: skip
    assert (out / "gone.txt").read_text() == "still here\n"
    assert "-plain old" in stdout and "+plain {{ text" in stdout and "+allow a" in stdout
    assert (out / "b.txt").read_text() == "plain old\n" and not (out / "sub" / "deeper" / "a.conf").exists()


def test_failed_validation_names_the_file_and_leaves_it(play: dict[str, Path]) -> None:
    _run(play)
    out = play["out"]
    (out / "b.txt").write_text("kept\n")
    _, stdout = _run(play, "-e", "files_test_validate='grep -q nowhere %s'", expect_rc=2)
    assert f"{out / 'b.txt'}: the new content failed validation (grep -q nowhere %s)" in stdout
    assert (out / "b.txt").read_text() == "kept\n"
    assert sorted(p.name for p in out.iterdir()) == ["b.txt", "c.conf", "sub"]
