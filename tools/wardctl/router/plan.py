"""The result of comparing an intended config with a running one, in either dialect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Plan:
    """What brings the device to the intended config: commands to send, a readable diff, and — for a device
    whose revert the kit must supply (RouterOS) — how to take each command back (`undo`, one group of
    commands per command; the revert runs the groups last first)."""

    commands: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    undo: list[list[str]] = field(default_factory=list)
    # What the undo cannot put back exactly (say, a secret the device would not show): said in the result.
    lossy: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.commands)

    def add(self, command: str, *diff: str, undo: Sequence[str] = ()) -> None:
        self.commands.append(command)
        self.diff.extend(diff)
        self.undo.append(list(undo))
