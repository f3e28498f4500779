"""Read an inventory directory (docs/inventory.md) straight from its YAML files: groups, hosts and variables.

Not through ansible-inventory: the validator must work without the vault password, and it must see
duplicate keys and where each value was written. Problems go to `RawInventory.problems`, never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wardctl.inventory.layout import HOSTS_FILE, MERGER_FILE, VAULT_HEADER
from wardctl.inventory.yamlfile import LineDict, Problem, YamlFile, error, kind_of, load_yaml, warning

# Ansible reads vars files with these suffixes (none included); everything else is ignored.
_VARS_SUFFIXES = ("", ".yml", ".yaml", ".json")
_IGNORED_NAME = re.compile(r"^\.|~$|\.(bak|orig|swp|retry|md|txt|rst)$")


@dataclass
class Group:
    name: str
    file: Path
    line: int
    hosts: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)  # inline `vars:` (the merger file only)
    var_lines: dict[str, int] = field(default_factory=dict)
    child_lines: dict[str, int] = field(default_factory=dict)  # where each child is named (last file)


@dataclass
class Vars:
    """The variables of one group or host, gathered from its vars file(s)."""

    values: dict[str, Any] = field(default_factory=dict)
    where: dict[str, tuple[Path, int]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    opaque: bool = False  # some file is vault-encrypted: its variables are unknown here

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def locate(self, name: str) -> tuple[Path | None, int | None]:
        if name in self.where:
            return self.where[name]
        return (self.files[0] if self.files else None), None


@dataclass
class RawInventory:
    root: Path
    problems: list[Problem] = field(default_factory=list)
    groups: dict[str, Group] = field(default_factory=dict)
    host_where: dict[str, tuple[Path, int]] = field(default_factory=dict)  # first mention of each host
    merger_groups: list[str] = field(default_factory=list)  # in the merger file's order
    group_vars: dict[str, Vars] = field(default_factory=dict)
    host_vars: dict[str, Vars] = field(default_factory=dict)
    var_files: list[YamlFile] = field(default_factory=list)  # every parsed vars file, for the secrets scan
    vault_file: Path | None = None
    vault_encrypted: bool = False
    readable: bool = True  # False when the directory itself is missing or unusable
    hosts_readable: bool = False  # hosts.yml parsed into groups: without it, group checks are noise

    @property
    def hosts(self) -> list[str]:
        return list(self.host_where)

    def members(self, group: str) -> list[str]:
        """Hosts of a group and of its children, recursively, in file order."""
        found: dict[str, None] = {}
        stack: set[str] = set()

        def visit(name: str) -> None:
            if name in stack or name not in self.groups:
                return
            stack.add(name)
            for host in self.groups[name].hosts:
                found.setdefault(host)
            for child in self.groups[name].children:
                visit(child)
            stack.discard(name)

        visit(group)
        return list(found)

    def children(self, group: str) -> list[str]:
        return list(self.groups[group].children) if group in self.groups else []

    def groups_of(self, host: str) -> set[str]:
        return {name for name in self.groups if host in self.members(name)}

    def group_vars_of(self, group: str) -> Vars:
        merged = Vars()
        inline = self.groups.get(group)
        if inline:
            for name, value in inline.vars.items():
                merged.values[name] = value
                merged.where[name] = (inline.file, inline.var_lines.get(name, inline.line))
        file_vars = self.group_vars.get(group)
        if file_vars:
            merged.values.update(file_vars.values)
            merged.where.update(file_vars.where)
            merged.files = list(file_vars.files)
            merged.opaque = file_vars.opaque
        return merged

    def host_vars_of(self, host: str) -> Vars:
        return self.host_vars.get(host, Vars())


def _line_of(mapping: object, key: object) -> int | None:
    return mapping.lines.get(key) if isinstance(mapping, LineDict) else None


def load_raw(root: Path) -> RawInventory:
    """Read every file of the inventory directory; problems found on the way are in `.problems`."""
    raw = RawInventory(root)
    if not root.exists():
        raw.problems.append(error(root.name or str(root), "inventory", "no such directory", root))
        raw.readable = False
        return raw
    if not root.is_dir():
        raw.problems.append(error(root.name, "inventory", "is not a directory", root))
        raw.readable = False
        return raw
    try:
        entries = sorted(p.name for p in root.iterdir())
    except OSError as exc:
        raw.problems.append(error(root.name, "inventory", f"cannot list: {exc.strerror or exc}", root))
        raw.readable = False
        return raw

    hosts = load_yaml(root / HOSTS_FILE, "hosts", raw.problems)
    if hosts is not None:
        _read_group_tree(raw, hosts, allow_vars=False)
    raw.hosts_readable = hosts is not None and isinstance(hosts.data, dict)
    merger = load_yaml(root / MERGER_FILE, MERGER_FILE.removesuffix(".yml"), raw.problems)
    if merger is not None:
        raw.merger_groups = _read_group_tree(raw, merger, allow_vars=True)

    for name in entries:
        path = root / name
        if name in (HOSTS_FILE, MERGER_FILE, "group_vars", "host_vars") or _IGNORED_NAME.search(name):
            continue
        # Ansible tries every other file here as an inventory source of its own.
        raw.problems.append(
            warning(name, "file", "not part of the layout; Ansible will try to parse it as inventory", path)
        )

    _read_vars_dir(raw, root / "group_vars", raw.group_vars)
    _read_vars_dir(raw, root / "host_vars", raw.host_vars)
    return raw


def _read_group_tree(raw: RawInventory, doc: YamlFile, *, allow_vars: bool) -> list[str]:
    """Fold one YAML inventory file into raw.groups; returns the groups directly under `all`."""
    data, path, what = doc.data, doc.path, doc.path.name
    if doc.encrypted:
        raw.problems.append(error(doc.owner, "file", "must not be vault-encrypted (it holds no secrets)", path))
        return []
    if data is None:
        raw.problems.append(error(doc.owner, "file", "is empty; expected a mapping with the group 'all'", path))
        return []
    if not isinstance(data, dict):
        msg = f"top level must be a mapping of group names (all: ...), got {kind_of(data)}"
        raw.problems.append(error(doc.owner, "file", msg, path, getattr(data, "line", None)))
        return []
    top: list[str] = []

    def visit(name: object, body: object, parent: str | None, line: int, depth: int) -> None:
        group = str(name)
        if depth > 20:
            raw.problems.append(error(group, "children", "groups nested too deep (a loop?)", path, line))
            return
        known = raw.groups.get(group)
        if known is None:
            known = raw.groups[group] = Group(group, path, line)
        if parent is not None:
            raw.groups[parent].child_lines[group] = line
            if group not in raw.groups[parent].children:
                raw.groups[parent].children.append(group)
            if parent not in known.parents:
                known.parents.append(parent)
            if parent == "all":
                top.append(group)
        if body is None:
            return
        if not isinstance(body, dict):
            msg = f"a group must be a mapping of hosts/children/vars, got {kind_of(body)}"
            raw.problems.append(error(group, what, msg, path, line))
            return
        for key, value in body.items():
            key_line = _line_of(body, key) or line
            if key == "hosts":
                _read_hosts(raw, known, value, path, key_line)
            elif key == "children":
                if value is None:
                    continue
                if not isinstance(value, dict):
                    msg = f"must be a mapping of group names (each followed by ':'), got {kind_of(value)}"
                    raw.problems.append(error(group, "children", msg, path, key_line))
                    continue
                for child, child_body in value.items():
                    visit(child, child_body, group, _line_of(value, child) or key_line, depth + 1)
            elif key == "vars":
                if not allow_vars:
                    msg = f"{what} holds groups and hosts only; put variables in group_vars/{group}.yml"
                    raw.problems.append(error(group, "vars", msg, path, key_line))
                    if isinstance(value, dict):
                        raw.var_files.append(YamlFile(path, group, value))  # still scanned for plain secrets
                elif value is not None and not isinstance(value, dict):
                    raw.problems.append(
                        error(group, "vars", f"must be a mapping, got {kind_of(value)}", path, key_line)
                    )
                elif value:
                    for var, var_value in value.items():
                        known.vars[str(var)] = var_value
                        known.var_lines[str(var)] = _line_of(value, var) or key_line
                    raw.var_files.append(YamlFile(path, group, value))
            else:
                msg = "unknown key in a group (only hosts, children and vars are allowed)"
                raw.problems.append(error(group, str(key), msg, path, key_line))

    for name, body in data.items():
        visit(name, body, None, _line_of(data, name) or 1, 0)
        if str(name) != "all":
            top.append(str(name))
    return top


def _read_hosts(raw: RawInventory, group: Group, value: object, path: Path, line: int) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        msg = f"must be a mapping of host names (each followed by ':'), got {kind_of(value)}"
        raw.problems.append(error(group.name, "hosts", msg, path, line))
        return
    for host_key, host_body in value.items():
        host = str(host_key)
        host_line = _line_of(value, host_key) or line
        if host not in group.hosts:
            group.hosts.append(host)
        raw.host_where.setdefault(host, (path, host_line))
        if host_body is not None:
            msg = f"host variables belong in host_vars/{host}.yml, not in {path.name}"
            raw.problems.append(error(host, path.name, msg, path, host_line))
            if isinstance(host_body, dict):
                raw.var_files.append(YamlFile(path, host, host_body))  # still scanned for plain secrets


def _read_vars_dir(raw: RawInventory, directory: Path, into: dict[str, Vars]) -> None:
    if not directory.exists():
        return
    if not directory.is_dir():
        raw.problems.append(error(directory.name, "file", "must be a directory", directory))
        return
    for entry in sorted(directory.iterdir()):
        if _IGNORED_NAME.search(entry.name):
            continue
        owner = entry.name if entry.is_dir() else entry.name.removesuffix(entry.suffix)
        if not entry.is_dir() and entry.suffix not in _VARS_SUFFIXES:
            continue  # Ansible ignores it too
        files = sorted(p for p in entry.rglob("*") if p.is_file()) if entry.is_dir() else [entry]
        target = into.setdefault(owner, Vars())
        for path in files:
            if _IGNORED_NAME.search(path.name):
                continue
            if owner == "all" and path.name in ("vault.yml", "vault.yaml"):
                raw.vault_file = path
                raw.vault_encrypted = _is_vault_file(path)
                continue  # never parsed: plain or not, secrets are not read here
            _read_vars_file(raw, path, owner, target)


def _is_vault_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(VAULT_HEADER)).decode("ascii", "replace") == VAULT_HEADER
    except OSError:
        return False


def _read_vars_file(raw: RawInventory, path: Path, owner: str, target: Vars) -> None:
    target.files.append(path)
    doc = load_yaml(path, owner, raw.problems)
    if doc is None or doc.encrypted:
        target.opaque = True  # unreadable or encrypted: its variables are unknown, not missing
        return
    if doc.data is None:
        return
    if not isinstance(doc.data, dict):
        msg = f"a vars file must be a mapping of variable names, got {kind_of(doc.data)}"
        raw.problems.append(error(owner, "file", msg, path, getattr(doc.data, "line", None)))
        return
    raw.var_files.append(doc)
    for name, value in doc.data.items():
        target.values[str(name)] = value
        target.where[str(name)] = (path, _line_of(doc.data, name) or 1)
