"""wardkit.core.lean_workers, through the real ansible-playbook: a worker forked for a task inherits a frozen
heap, the listed collections, the loaded Jinja filters and tests and the answers to filter and test names when
ansible.cfg enables the plugin, and not otherwise."""

from __future__ import annotations

import json
import os
from pathlib import Path

from support import ROOT, VENV_BIN, config_without_lean_workers, run

# An action plugin: it runs in the worker Ansible forks for the task, before the worker has templated anything
# (its task has no template and no condition), so what it sees was inherited from the main process.
PROBE = """
import gc, json, os, pkgutil, sys
import ansible.collections.list
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import filter_loader, test_loader

class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        # read before this probe lists anything itself
        imported = any(m.startswith("ansible_collections.community.general") for m in sys.modules)
        jinja = all(loader._cached_non_collection_wrappers for loader in (filter_loader, test_loader))
        listing = ansible.collections.list.list_collection_dirs
        reads = []  # calls of the function that reads each collection's metadata
        finder = ansible.collections.list.find_existing_collections
        ansible.collections.list.find_existing_collections = lambda *a, **k: reads.append(1) or finder(*a, **k)
        kept = sorted(listing())
        reread = bool(reads)
        fresh = sorted(listing(dedupe=True))  # an argument: Ansible's own listing, read now
        # names whose answer Ansible's loader does not keep: Jinja's own, and this collection's
        searches = []
        iter_modules = pkgutil.iter_modules
        pkgutil.iter_modules = lambda *a, **k: searches.append(1) or iter_modules(*a, **k)
        answers = [filter_loader.get("length") is None, filter_loader.get("wardkit.core.cidr") is not None,
                   test_loader.get("sameas") is None]
        pkgutil.iter_modules = iter_modules
        # a directory of filters added later (a role's filter_plugins) is searched: nothing kept hides it
        unknown_before = filter_loader.get("probe_twice") is None
        folder = os.path.join(os.path.dirname(self._task.args["dest"]), "filter_plugins")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "probe.py"), "w") as out:
            out.write("class FilterModule:\\n    def filters(self):\\n"
                      "        return {'probe_twice': lambda x: 2 * x}\\n")
        filter_loader.add_directory(folder)
        found_after = filter_loader.get("probe_twice") is not None
        probe = {
            "frozen": gc.get_freeze_count(),
            "collections_listed": imported,
            "listing_reread": reread,
            "listing_same": kept == fresh and len(kept) > 50,
            "jinja_loaded": jinja and "ansible.utils.encrypt" in sys.modules,
            "answers_right": answers == [True, True, True],
            "answers_searched": bool(searches),
            "added_filter_found": unknown_before and found_after,
        }
        with open(self._task.args["dest"], "w") as out:
            json.dump(probe, out)
        return {"changed": False}
"""


def _probe(tmp_path: Path, config: Path) -> dict[str, object]:
    (tmp_path / "action").mkdir(exist_ok=True)
    (tmp_path / "action" / "worker_probe.py").write_text(PROBE)
    out = tmp_path / "probe.json"
    (tmp_path / "play.yml").write_text(json.dumps([{
        "name": "probe", "hosts": "localhost", "gather_facts": False,
        "tasks": [{"name": "Probe the worker", "worker_probe": {"dest": str(out)}}],
    }]))  # fmt: skip
    env = dict(os.environ, ANSIBLE_CONFIG=str(config), ANSIBLE_ACTION_PLUGINS=str(tmp_path / "action"),
               ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"))  # fmt: skip
    run([str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(tmp_path / "play.yml")],
        env=env, timeout=120)  # fmt: skip
    return json.loads(out.read_text())


def test_workers_inherit_a_frozen_heap_the_listed_collections_and_jinja_plugins(tmp_path: Path) -> None:
    got = _probe(tmp_path, ROOT / "ansible.cfg")
    # the main process's heap (inventory, plugins, the play) is frozen; the bundle's collections were imported
    assert isinstance(got["frozen"], int) and got["frozen"] > 10_000, got
    assert got["collections_listed"] is True
    # the kept list is what Ansible's own listing reads now; the built-in filters and tests came loaded
    assert got["listing_reread"] is False and got["listing_same"] is True, got
    assert got["jinja_loaded"] is True, got
    # Jinja's own names and the kit's filters were answered in the main process: no search of plugin files
    assert got["answers_right"] is True and got["answers_searched"] is False, got
    assert got["added_filter_found"] is True, got


def test_without_the_plugin_nothing_is_frozen(tmp_path: Path) -> None:
    config = config_without_lean_workers(tmp_path)
    got = _probe(tmp_path, config)
    assert got == {"frozen": 0, "collections_listed": False, "listing_reread": True, "listing_same": True,
                   "jinja_loaded": False, "answers_right": True, "answers_searched": True,
                   "added_filter_found": True}, got  # fmt: skip
