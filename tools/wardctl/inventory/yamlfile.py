"""One YAML file of an inventory, read with line numbers, duplicate keys and Ansible's tags kept.

Every ordinary YAML loader (Ansible's included) silently resolves a duplicate key to the last one; this one
records it. Reading never raises on bad input: each problem becomes a `Problem` (one line, with file and line),
so `wardctl inventory check` can list them all at once.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wardctl.inventory.layout import MERGER_FILE, VAULT_HEADER


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
