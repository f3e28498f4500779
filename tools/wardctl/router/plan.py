"""The result of comparing an intended config with a running one, in either dialect."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Plan:
    """What brings the device to the intended config: commands to send, and a readable diff."""

    commands: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.commands)

    def add(self, command: str, *diff: str) -> None:
        self.commands.append(command)
        self.diff.extend(diff)
