"""wardkit.core.lean_workers, through the real ansible-playbook: a worker forked for a task inherits a frozen
heap and the listed collections when ansible.cfg enables the plugin, and not otherwise."""

from __future__ import annotations

import json
import os
from pathlib import Path

from support import ROOT, VENV_BIN, run

# Runs in the worker Ansible forks for the task: what it inherited from the main process.
PROBE = """
import gc, sys
from ansible.plugins.lookup import LookupBase

class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        bundled = any(m.startswith("ansible_collections.community.general") for m in sys.modules)
        return [{"frozen": gc.get_freeze_count(), "collections_listed": bundled}]
"""


def _probe(tmp_path: Path, config: Path) -> dict[str, object]:
    (tmp_path / "lookup").mkdir(exist_ok=True)
    (tmp_path / "lookup" / "worker_probe.py").write_text(PROBE)
    out = tmp_path / "probe.json"
    (tmp_path / "play.yml").write_text(json.dumps([{
        "name": "probe", "hosts": "localhost", "gather_facts": False,
        "tasks": [{"name": "Probe the worker", "ansible.builtin.copy": {
            "content": "{{ lookup('worker_probe') | to_json }}", "dest": str(out), "mode": "0600"}}],
    }]))  # fmt: skip
    env = dict(os.environ, ANSIBLE_CONFIG=str(config), ANSIBLE_LOOKUP_PLUGINS=str(tmp_path / "lookup"),
               ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"))  # fmt: skip
    run([str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(tmp_path / "play.yml")],
        env=env, timeout=120)  # fmt: skip
    return json.loads(out.read_text())


def test_workers_inherit_a_frozen_heap_and_the_listed_collections(tmp_path: Path) -> None:
    got = _probe(tmp_path, ROOT / "ansible.cfg")
    # the main process's heap (inventory, plugins, the play) is frozen; the bundle's collections were imported
    assert isinstance(got["frozen"], int) and got["frozen"] > 10_000, got
    assert got["collections_listed"] is True


def test_without_the_plugin_nothing_is_frozen(tmp_path: Path) -> None:
    lines = (ROOT / "ansible.cfg").read_text().splitlines()
    assert any(line.startswith("callbacks_enabled") and "wardkit.core.lean_workers" in line for line in lines)
    # the project's settings but this one, with the collections path made absolute for a config elsewhere
    kept = [line for line in lines if not line.startswith("callbacks_enabled")]
    absolute = f"collections_path = {ROOT / 'collections'}"
    kept = [absolute if line.startswith("collections_path") else line for line in kept]
    config = tmp_path / "ansible.cfg"
    config.write_text("\n".join(kept) + "\n")
    assert _probe(tmp_path, config) == {"frozen": 0, "collections_listed": False}
