"""Callback plugin: make the worker Ansible forks for every task and host cheaper (docs/performance.md)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: lean_workers
type: aggregate
short_description: Cheaper per-task workers (freeze the main process's heap; list collections once)
description:
  - Ansible forks its main process for every task and host. At each play's start this plugin runs a full
    garbage collection and then C(gc.freeze()), so a forked worker's collector no longer walks, and with its
    reference counting copies page by page, the whole heap the main process has built (inventory, variables,
    plugins); garbage made later is collected as usual.
  - It also lists the installed collections once in the main process. Mitogen's planner lists them again in each
    worker that runs a collection's module (C(wardkit.core.files), ...); inherited, that costs a hundredth of it.
  - Measured on the lab, one ward's no-op C(site.yml) (router and room), the controller's CPU with and without
    it, alternately - under Mitogen 11.0 to 9.0 CPU-s (three runs each), plain 9.8 to 8.9 (two each).
requirements: [enabled in ansible.cfg's callbacks_enabled]
"""

# Imports after the documentation block, as Ansible's plugin layout has it.
import gc  # noqa: E402
from typing import Any  # noqa: E402

import ansible.collections.list  # noqa: E402
from ansible.plugins.callback import CallbackBase  # noqa: E402


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wardkit.core.lean_workers"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_play_start(self, play: Any) -> None:
        list(ansible.collections.list.list_collection_dirs())
        gc.collect()
        gc.freeze()
