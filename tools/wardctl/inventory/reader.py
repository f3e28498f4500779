"""Read an inventory directory (docs/inventory.md) straight from its YAML files into the City model.

Not through ansible-inventory: the validator must work without the vault password, and it must see
duplicate keys, which every ordinary YAML loader (Ansible's included) silently resolves to the last one.
Reading never raises on bad input: each problem becomes a `Problem`, so `wardctl inventory check`
can list them all at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wardctl.errors import WardctlError
from wardctl.inventory.layout import (
    DEFAULT_CONFERENCE_SERVICE,
    DEFAULT_PORTS,
    HOSTS_FILE,
    MERGER_FILE,
    MERGER_NAME_VAR,
    ROLE_GROUPS,
    VAULT_HEADER,
)
from wardctl.inventory.layout import (
    MERGER_PREFIX as MERGER_PREFIX,  # format constants live in layout; kept importable here
)
from wardctl.inventory.model import (
    PLATFORMS,
    City,
    CityServices,
    Endpoint,
    Merger,
    Router,
    Ward,
)

# Ansible reads vars files with these suffixes (none included); everything else is ignored.
_VARS_SUFFIXES = ("", ".yml", ".yaml", ".json")
_IGNORED_NAME = re.compile(r"^\.|~$|\.(bak|orig|swp|retry|md|txt|rst)$")


@dataclass(frozen=True)
class Problem:
    """One finding: `ERROR <file>:<line> <subject>: <field>: <message>` (location only when known)."""

    severity: str  # "ERROR" | "WARNING"
    subject: str  # the ward, host, group or "city" it concerns
    field: str  # the variable, column or file aspect at fault
    message: str
    file: Path | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "ERROR"

    def location(self) -> str:
        if self.file is None:
            return ""
        shown = display_path(self.file)
        return f"{shown}:{self.line}" if self.line else shown

    def __str__(self) -> str:
        where = self.location()
        lead = f"{self.severity} {where} " if where else f"{self.severity} "
        return f"{lead}{self.subject}: {self.field}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "subject": self.subject,
            "field": self.field,
            "message": self.message,
            "file": display_path(self.file) if self.file else None,
            "line": self.line,
        }


def error(subject: str, fld: str, message: str, file: Path | None = None, line: int | None = None) -> Problem:
    return Problem("ERROR", subject, fld, message, file, line)


def warning(subject: str, fld: str, message: str, file: Path | None = None, line: int | None = None) -> Problem:
    return Problem("WARNING", subject, fld, message, file, line)


def display_path(path: Path) -> str:
    """Relative to the working directory when below it: short, and clickable in a terminal."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --- YAML with line numbers and duplicate keys ----------------------------------------------------


class LineDict(dict[Any, Any]):
    """A YAML mapping that remembers where each key is and which keys were given twice."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.lines: dict[Any, int] = {}
        self.dupes: list[tuple[Any, int, int]] = []  # (key, line, line of the earlier one)


class LineList(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.lines: list[int] = []


class UnsafeText(str):
    """A `!unsafe` tagged string: Ansible never evaluates it as a template, so a marker in it is inert."""

    __slots__ = ()


@dataclass(frozen=True)
class VaultValue:
    """A `!vault` tagged value: accepted as an encrypted secret, never decrypted here."""

    ciphertext: str


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds LineDict/LineList and knows Ansible's `!vault` and `!unsafe` tags."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[LineDict]:
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data  # yielded first so that anchors referring back to this mapping resolve
    before = len(node.value)
    loader.flatten_mapping(node)
    merged = len(node.value) - before  # entries pulled in by `<<:` come first and may be overridden
    explicit: set[Any] = set()
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found an unhashable key",
                key_node.start_mark,
            )
        line = key_node.start_mark.line + 1
        if index >= merged:
            if key in explicit:
                data.dupes.append((key, line, data.lines[key]))
            explicit.add(key)
        data[key] = loader.construct_object(value_node, deep=False)
        data.lines[key] = line


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    data.extend(loader.construct_object(child, deep=False) for child in node.value)
    data.lines = [child.start_mark.line + 1 for child in node.value]


def _construct_vault(loader: _Loader, node: yaml.ScalarNode) -> VaultValue:
    return VaultValue(str(loader.construct_scalar(node)))


def _construct_unsafe(loader: _Loader, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return UnsafeText(loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("!vault", _construct_vault)
_Loader.add_constructor("!unsafe", _construct_unsafe)


def kind_of(value: object) -> str:
    """How a wrong value looks to a YAML author: 'a list', 'a number', ..."""
    if value is None:
        return "nothing (empty)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, VaultValue):
        return "an encrypted !vault value"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"a {type(value).__name__}"


@dataclass
class YamlFile:
    path: Path
    owner: str  # the ward, host, group or "city" its problems are reported against
    data: Any = None
    encrypted: bool = False


def load_yaml(path: Path, owner: str, problems: list[Problem]) -> YamlFile | None:
    """Parse one file; on any failure record a Problem and return None (never raise)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        hint = "; write `all: {children: {}}` if there are none" if path.name == MERGER_FILE else ""
        problems.append(error(owner, "file", f"missing{hint}", path))
        return None
    except IsADirectoryError:
        problems.append(error(owner, "file", "is a directory, expected a YAML file", path))
        return None
    except OSError as exc:
        problems.append(error(owner, "file", f"cannot read: {exc.strerror or exc}", path))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(error(owner, "file", "not valid UTF-8 text (save it as UTF-8)", path, line))
        return None
    if text.lstrip().startswith(VAULT_HEADER):
        return YamlFile(path, owner, encrypted=True)
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = ": ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        problems.append(error(owner, "yaml", f"syntax error: {what}", path, mark.line + 1 if mark else None))
        return None
    except yaml.YAMLError as exc:
        problems.append(error(owner, "yaml", f"syntax error: {exc}", path))
        return None
    _report_dupes(data, path, owner, problems)
    return YamlFile(path, owner, data)


def _report_dupes(data: object, path: Path, owner: str, problems: list[Problem]) -> None:
    seen: set[int] = set()

    def walk(node: object, trail: tuple[str, ...]) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, LineDict):
            for key, line, first in node.dupes:
                # In hosts.yml a repeated key under hosts/children is a host or group given twice.
                named = bool(trail) and trail[-1] in ("hosts", "children")
                subject = str(key) if named else owner
                fld = ".".join(trail) if named else ".".join((*trail, str(key)))
                msg = f"key {key!r} given twice (first at line {first}); YAML keeps only the last one"
                problems.append(error(subject, fld, msg, path, line))
            for key, value in node.items():
                walk(value, (*trail, str(key)))
        elif isinstance(node, list):
            for item in node:
                walk(item, trail)

    walk(data, ())


# --- the inventory as read --------------------------------------------------------------------------


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


# --- the City model ---------------------------------------------------------------------------------


def read_inventory(root: Path) -> City:
    """The City an inventory describes. Raises WardctlError if its files cannot be parsed.

    Lenient about content (missing values become empty): validate with check.check_inventory()
    or check.read_checked() when correctness matters.
    """
    raw = load_raw(root)
    fatal = [p for p in raw.problems if p.is_error and p.field in ("inventory", "file", "yaml")]
    if fatal:
        raise WardctlError(f"cannot read inventory {display_path(root)}: {str(fatal[0]).removeprefix('ERROR ')}")
    return build_city(raw)


def build_city(raw: RawInventory) -> City:
    city = raw.group_vars_of("all")
    wards_group = set(raw.children("wards"))
    registry = [w for w in _as_list(city.get("city_wards")) if isinstance(w, str)]
    ward_ids = list(dict.fromkeys([w for w in registry if w in wards_group] + raw.children("wards")))
    routers = set(raw.members("routers"))
    wards = [_build_ward(raw, ward_id, routers) for ward_id in ward_ids]
    services = CityServices(
        mgmt_subnets=[_text(v) for v in _as_list(city.get("city_mgmt_subnets"))],
        mirror_url=_text(city.get("city_mirror_url")),
        ntp_servers=[_text(v) for v in _as_list(city.get("city_ntp_servers"))],
        dns_servers=[_text(v) for v in _as_list(city.get("city_dns_servers"))],
        syslog_server=_text(city.get("city_syslog_server")),
        iperf_server=_text(city.get("city_iperf_server")),
        province_meeting_server=_text(city.get("city_province_meeting_server")),
        conference_service=_text(city.get("city_conference_service")) or DEFAULT_CONFERENCE_SERVICE,
    )
    mergers = [
        Merger(name, _text(raw.group_vars_of(name).get(MERGER_NAME_VAR)), raw.children(name))
        for name in raw.merger_groups
    ]
    return City(
        id=_text(city.get("city_id")),
        display_name=_text(city.get("city_display_name")),
        services=services,
        wards=wards,
        mergers=mergers,
    )


def _build_ward(raw: RawInventory, ward_id: str, routers: set[str]) -> Ward:
    gv = raw.group_vars_of(ward_id)
    ward = Ward(
        id=ward_id,
        display_name=_text(gv.get("ward_display_name")),
        kind=_text(gv.get("ward_kind")),
        technician_name=_text(gv.get("ward_technician_name")),
        technician_phone=_text(gv.get("ward_technician_phone")),
    )
    for host in raw.members(ward_id):
        hv = raw.host_vars_of(host)
        groups = raw.groups_of(host)
        if host in routers and ward.router is None:
            dialects = [g for g in raw.children("routers") if g in groups]
            ward.router = Router(
                name=host,
                device_type=dialects[0] if dialects else _text(hv.get("router_device_type")),
                address=_text(hv.get("ansible_host")),
                port=_port(hv.get("ansible_port"), DEFAULT_PORTS["router"]),
                wan_interface=_text(hv.get("router_wan_interface")),
                line_down_mbps=_number(hv.get("router_line_down_mbps")),
                line_up_mbps=_number(hv.get("router_line_up_mbps")),
            )
            continue
        roles = [role for group, role in ROLE_GROUPS.items() if group in groups]
        if not roles:
            continue
        platform = next((p for p in PLATFORMS if p in groups), "")
        ward.endpoints.append(
            Endpoint(
                name=host,
                address=_text(hv.get("ansible_host")),
                platform=platform,
                role=roles[0],
                port=_port(hv.get("ansible_port"), DEFAULT_PORTS.get(platform, 22)),
                department=_text(hv.get("leader_department")),
            )
        )
    return ward


def _text(value: object) -> str:
    if value is None or isinstance(value, VaultValue | dict | list):
        return ""
    return str(value)


def _as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return 0.0


def _port(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
