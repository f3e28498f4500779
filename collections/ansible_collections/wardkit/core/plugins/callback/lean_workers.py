"""Callback plugin: make the worker Ansible forks for every task and host cheaper (docs/performance.md)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: lean_workers
type: aggregate
short_description: Cheaper per-task workers (freeze the main process's heap; load what every worker loads once)
description:
  - Ansible forks its main process for every task and host. At each play's start this plugin runs a full
    garbage collection and then C(gc.freeze()), so a forked worker's collector no longer walks, and with its
    reference counting copies page by page, the whole heap the main process has built (inventory, variables,
    plugins); garbage made later is collected as usual.
  - It also lists the installed collections once in the main process and keeps the list for the run. Mitogen's
    planner lists them (reading each of the bundle's ~100 collections' metadata) in every worker that runs a
    collection's module (C(wardkit.core.files), ...); the workers inherit the list. A call with arguments (a
    search path, a filter) is answered by Ansible's own function as before.
  - And it loads Ansible's built-in Jinja filters and tests in the main process. A worker loads all of them (and
    what they import, passlib among it) the first time it compiles a template that names one - nearly every
    task's C(when) does - so each worker did it again; now it inherits them loaded.
  - Ansible's loader keeps no answer for a filter or test name that is Jinja's own (C(length), C(int), C(join))
    or a collection's (C(wardkit.core.cidr)), so each lookup searches the collections' plugin files again (~0.8
    ms here), and every new template environment looks each name up again (~19 lookups in one router's worker).
    The plugin keeps each answer until the loader's paths change (a role with plugins of its own), and looks
    up Jinja's names and this collection's in the main process, so the workers inherit the answers.
  - Measured on the lab, one ward's no-op C(site.yml) (router and room), the controller's CPU with and without
    it, alternately - under Mitogen 11.0 to 9.0 CPU-s (three runs each), plain 9.8 to 8.9 (two each). The kept
    list and the loaded Jinja plugins then took a five-room no-op C(endpoints.yml) under Mitogen from 9.3 to 7.1
    machine CPU-s per room (docs/performance.md).
requirements: [enabled in ansible.cfg's callbacks_enabled]
options:
  template_cache:
    description:
      - The directory for compiled templates, made (mode 0700) if missing. It is not used - the run warns, and
        the compiled code is kept in each process's memory only - unless it is a directory of the user's own that
        no one else may write to. Empty to keep nothing on disk. Safe to delete at any time.
    type: str
    default: ~/.cache/wardkit/templates
    env: [{name: WARDKIT_TEMPLATE_CACHE}]
    ini: [{section: callback_lean_workers, key: template_cache}]
"""

# Imports after the documentation block, as Ansible's plugin layout has it.
import contextlib  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import pkgutil  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

import ansible.collections.list  # noqa: E402
import jinja2.defaults  # noqa: E402
from ansible.plugins.callback import CallbackBase  # noqa: E402
from ansible.plugins.loader import Jinja2Loader, filter_loader, test_loader  # noqa: E402
from ansible_collections.wardkit.core.plugins.plugin_utils import template_cache  # noqa: E402

_Listing = Callable[..., Iterator[bytes]]


def _listed_once(listing: _Listing) -> _Listing:
    """The installed collections' directories, listed now; a call with arguments goes to Ansible's own."""
    listed = list(listing())

    def list_collection_dirs(*args: Any, **kwargs: Any) -> Iterator[bytes]:
        return listing(*args, **kwargs) if args or kwargs else iter(listed)

    list_collection_dirs.wardkit_listed_once = True  # type: ignore[attr-defined]
    return list_collection_dirs


def _answers_kept(loader: Jinja2Loader) -> None:
    """The loader answers each name once (found or not) until its paths change, when Ansible clears its own."""
    if getattr(loader, "wardkit_answers_kept", False):
        return
    lookup, clear = loader.get_with_context, loader._clear_caches
    kept: dict[str, Any] = {}

    def get_with_context(name: str, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:  # not how templates look names up: Ansible's own answer
            return lookup(name, *args, **kwargs)
        if name not in kept:
            kept[name] = lookup(name)
        return kept[name]

    def _clear_caches() -> None:
        kept.clear()
        clear()

    loader.get_with_context = get_with_context  # type: ignore[method-assign]
    loader._clear_caches = _clear_caches  # type: ignore[method-assign]
    loader.wardkit_answers_kept = True  # type: ignore[attr-defined]


def _names_to_look_up(loader: Jinja2Loader) -> list[str]:
    """Jinja's own filter or test names, and this collection's, fully qualified."""
    names = list(jinja2.defaults.DEFAULT_FILTERS if loader.type == "filter" else jinja2.defaults.DEFAULT_TESTS)
    collection = __name__.split(".plugins.")[0]  # ansible_collections.wardkit.core
    try:
        package = importlib.import_module(f"{collection}.plugins.{loader.type}")
    except ImportError:  # the collection has none of this type
        return names
    for info in pkgutil.iter_modules(package.__path__):
        plugins = getattr(importlib.import_module(f"{package.__name__}.{info.name}"), loader.class_name, None)
        if plugins is not None:
            mapping = getattr(plugins(), loader.method_map_name)()
            names += [f"{collection.removeprefix('ansible_collections.')}.{name}" for name in mapping]
    return names


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wardkit.core.lean_workers"
    CALLBACK_NEEDS_ENABLED = True

    def set_options(self, *args: Any, **kwargs: Any) -> None:
        super().set_options(*args, **kwargs)
        # Before any play: the main process's own templates (play names, hosts) go through the cache too.
        wanted = self.get_option("template_cache") or None
        if template_cache.install(wanted) is None and wanted:
            self._display.warning(
                f"lean_workers: compiled templates are kept in memory only: {wanted} is not a directory of this "
                "user's own that no one else may write to"
            )

    def v2_playbook_on_play_start(self, play: Any) -> None:
        # Mitogen looks the function up on the module at each call, so the workers use the kept list.
        listing = ansible.collections.list.list_collection_dirs
        if not getattr(listing, "wardkit_listed_once", False):
            ansible.collections.list.list_collection_dirs = _listed_once(listing)
        # all() loads every built-in plugin file once per process, as a worker's first lookup would.
        for loader in (filter_loader, test_loader):
            list(loader.all())
            _answers_kept(loader)
            for name in _names_to_look_up(loader):
                with contextlib.suppress(KeyError):  # Jinja's `==` and the like are no plugin name; not kept
                    loader.get(name)
        gc.collect()
        gc.freeze()
