"""Inventory YAML as the writer emits it: block style, yamllint-clean, comments where a person reads them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Block style, indented lists (yamllint's default), double quotes around Jinja, no anchors."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if "{{" in data or "{%" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=160)


def scalar(value: object) -> str:
    """One scalar as YAML text, quoted only when plain text would be read back differently."""
    return dump({"k": value}).removeprefix("k:").strip()


def comment(text: str) -> list[str]:
    return [line if line.startswith("#") else f"# {line}".rstrip() for line in text.splitlines() if text.strip()]


def document(header: str, about: str, body: Iterable[str]) -> str:
    lines = ["---", *comment(header), *comment(about), *body]
    return "\n".join(lines).rstrip("\n") + "\n"


def vars_lines(*sections: tuple[str, dict[str, Any]]) -> list[str]:
    """Variables in sections, each under an optional comment line."""
    lines: list[str] = []
    for note, values in sections:
        if not values:
            continue
        lines += comment(note)
        lines += dump(values).splitlines()
    return lines


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)
