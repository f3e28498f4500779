"""lean_workers' compiled-template cache (plugin_utils/template_cache.py), through the real ansible-playbook: it
changes no result - per host, per compile-time setting (Ansible's backslash escaping, a file's own delimiters),
for conditions and for a broken template - cold, warm, after its files were damaged, or refused; a warm cache
compiles nothing again."""

from __future__ import annotations

import json
import marshal
import os
import stat
import types
from pathlib import Path

from support import ROOT, VENV_BIN, config_without_lean_workers, run

PLAY = """
- name: Templates the cache must not mix up
  hosts: all
  gather_facts: false
  tasks:
    - name: args
      ansible.builtin.debug: {msg: "{{ 'n=' ~ n ~ ' of ' ~ inventory_hostname }}"}
    # the same text as same.j2; in a task's arguments Ansible keeps the backslash, in a template file it is Jinja's
    - name: escaped
      ansible.builtin.debug: {msg: "{{ 'x\\\\ty' }}"}
    - name: file
      ansible.builtin.debug: {msg: "{{ lookup('ansible.builtin.template', 'same.j2') }}"}
    # header.j2 and plain.j2 differ only by header.j2's own delimiters (its #jinja2 line)
    - name: header
      ansible.builtin.debug: {msg: "{{ lookup('ansible.builtin.template', 'header.j2') }}"}
    - name: plain
      ansible.builtin.debug: {msg: "{{ lookup('ansible.builtin.template', 'plain.j2') }}"}
    - name: when
      ansible.builtin.debug: {msg: big}
      when: n | int > 1
    - name: broken
      ansible.builtin.debug: {msg: "{{ n + }}"}
      ignore_errors: true
"""
FILES = {
    "same.j2": "{{ 'x\\ty' }}",
    "header.j2": "#jinja2:variable_start_string:'[%', variable_end_string:'%]'\n[% n %] {{ n }}",
    "plain.j2": "[% n %] {{ n }}",
}


def _play(tmp_path: Path, config: Path, cache: Path | str) -> tuple[dict[tuple[str, str], object], str]:
    """Each task's outcome per host (its message, 'skipped', or its failure), and what the run said on stderr."""
    work = tmp_path / "play"
    (work / "templates").mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (work / "templates" / name).write_text(text)
    (work / "play.yml").write_text(PLAY)
    (work / "hosts.yml").write_text(json.dumps({"all": {"hosts": {f"h{n}": {"n": n} for n in (1, 2, 3)}}}))
    env = dict(os.environ, ANSIBLE_CONFIG=str(config), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               WARDKIT_TEMPLATE_CACHE=str(cache), ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"))  # fmt: skip
    proc = run([str(VENV_BIN / "ansible-playbook"), "-i", str(work / "hosts.yml"), "-c", "local",
                str(work / "play.yml")], env=env, timeout=180)  # fmt: skip
    out: dict[tuple[str, str], object] = {}
    for task in json.loads(proc.stdout)["plays"][0]["tasks"]:
        for host, res in task["hosts"].items():
            what = "skipped" if res.get("skipped") else res.get("msg")
            out[task["task"]["name"], host] = ("failed", what) if res.get("failed") else what
    return out, proc.stderr


def _files(cache: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}


def test_cold_warm_damaged_or_refused_the_results_are_ansibles_own(tmp_path: Path) -> None:
    own, _ = _play(tmp_path, config_without_lean_workers(tmp_path), "")
    # Ansible's own results, which a shared compiled template would mix up: per host, per setting
    for n in (1, 2, 3):
        assert own["args", f"h{n}"] == f"n={n} of h{n}"
        assert own["when", f"h{n}"] == ("skipped" if n == 1 else "big")
        assert own["header", f"h{n}"] == f"{n} {{{{ n }}}}" and own["plain", f"h{n}"] == f"[% n %] {n}"
    assert own["escaped", "h1"] == "x\\ty" and own["file", "h1"] == "x\ty", own
    assert own["broken", "h1"][0] == "failed", own

    cache = tmp_path / "cache"
    assert _play(tmp_path, ROOT / "ansible.cfg", cache)[0] == own  # cold
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    written = _files(cache)
    assert len(written) >= 8, written  # each distinct template and condition, once
    assert all(stat.S_IMODE((cache / name).stat().st_mode) == 0o600 for name in written)

    assert _play(tmp_path, ROOT / "ansible.cfg", cache)[0] == own  # warm
    assert _files(cache) == written  # every compile came from the cache: nothing was written again

    for name in written:  # damaged files are compiled again and replaced
        (cache / name).write_bytes(b"\x00not code")
    assert _play(tmp_path, ROOT / "ansible.cfg", cache)[0] == own
    assert all(isinstance(marshal.loads((cache / name).read_bytes()), types.CodeType) for name in written)

    shared = tmp_path / "shared"  # a directory others may write to is not used, and the run says so
    shared.mkdir()
    shared.chmod(0o777)
    got, said = _play(tmp_path, ROOT / "ansible.cfg", shared)
    assert got == own and list(shared.iterdir()) == []
    assert f"compiled templates are kept in memory only: {shared} is not" in said
