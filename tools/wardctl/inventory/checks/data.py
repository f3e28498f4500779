"""Checks on what values may contain: no template or control character in data, no secret in plain text.

Ansible evaluates every inventory string as Jinja, so a ward name like `{{ lookup('pipe', ...) }}` would run
on the controller. Data about people and places (layout.DATA_FIELDS) must therefore be plain text; the only
templates the format has are credentials that name one vault variable (layout.VAULT_REFERENCE_FIELDS and any
secret-named variable), and those must be exactly that.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from wardctl.inventory.checks.base import CheckerBase, Where
from wardctl.inventory.layout import DATA_FIELDS, VAULT_REFERENCE_FIELDS
from wardctl.inventory.rules import (
    data_text_error,
    is_exact_vault_reference,
    is_secret_name,
    template_marker,
)
from wardctl.inventory.yamlfile import LineList, UnsafeText, VaultValue


class DataChecks(CheckerBase):
    def check_data(self) -> None:
        """Run first: later checks stay silent on a field already reported here (CheckerBase.unsafe)."""
        for doc in self.raw.var_files:
            if not isinstance(doc.data, dict):
                continue
            subject = "city" if doc.owner == "all" else doc.owner  # group_vars/all is the city's
            lines = getattr(doc.data, "lines", {})
            for key, value in doc.data.items():
                name = str(key)
                if name not in DATA_FIELDS:
                    continue
                for text, line in _strings(value, lines.get(key)):
                    problem = data_text_error(text)
                    if problem:
                        self.err(subject, name, problem, (doc.path, line))
                        self.unsafe.add((subject, name))
                        break  # one line per field, even for a list of bad items

    def check_secrets(self) -> None:
        for doc in self.raw.var_files:
            self._scan_secrets(doc.owner, doc.path, doc.data, ())

    def _scan_secrets(self, owner: str, path: Path, data: object, trail: tuple[str, ...]) -> None:
        if isinstance(data, dict):
            lines = getattr(data, "lines", {})
            for key, value in data.items():
                name = str(key)
                if not isinstance(value, dict | list):
                    where = (path, lines.get(key))
                    self._credential(owner, (*trail, name), value, where)
                self._scan_secrets(owner, path, value, (*trail, name))
        elif isinstance(data, list):
            for item in data:
                self._scan_secrets(owner, path, item, trail)

    def _credential(self, owner: str, trail: tuple[str, ...], value: object, where: Where) -> None:
        name = trail[-1]
        secret = is_secret_name(name)
        ref = "{{ vault_" + name.removeprefix("vault_") + " }}"
        # Never quote the value: it may be a real secret.
        if (secret or (len(trail) == 1 and name in VAULT_REFERENCE_FIELDS)) and _live_template(value):
            if not is_exact_vault_reference(str(value)):
                msg = f'a template here may only be one vault variable, like "{ref}"; anything more runs as code'
                self.err(owner, ".".join(trail), msg, where)
        elif secret and value is not None and not isinstance(value, VaultValue):  # `!unsafe` text is plain too
            msg = f'secret in plain text: move it to group_vars/all/vault.yml and write "{ref}" here (or use !vault)'
            self.err(owner, ".".join(trail), msg, where)


def _live_template(value: object) -> bool:
    """A string Ansible would evaluate (`!unsafe` text never is)."""
    return isinstance(value, str) and not isinstance(value, UnsafeText) and template_marker(value) is not None


def _strings(value: object, line: int | None) -> Iterator[tuple[str, int | None]]:
    """Every string in a variable's value, with its line when known (list items have their own)."""
    if isinstance(value, str):
        yield value, line
    elif isinstance(value, list):
        item_lines = value.lines if isinstance(value, LineList) else []
        for index, item in enumerate(value):
            yield from _strings(item, item_lines[index] if index < len(item_lines) else line)
    elif isinstance(value, dict):
        item_lines = getattr(value, "lines", {})
        for key, item in value.items():
            yield from _strings(item, item_lines.get(key, line))
