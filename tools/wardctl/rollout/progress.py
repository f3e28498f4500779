"""Rollout progress: a live table for a person at a terminal, plain lines for CI logs."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, ClassVar, Protocol


class Progress(Protocol):
    def ward(self, ward: str, state: str, detail: str = "") -> None: ...
    def task(self, ward: str, host: str, task: str) -> None: ...
    def note(self, text: str) -> None: ...
    def close(self) -> None: ...


class PlainProgress:
    """One line per state change; task changes are not printed (CI logs stay short)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def ward(self, ward: str, state: str, detail: str = "") -> None:
        extra = f" — {detail}" if detail else ""
        print(f"{time.strftime('%H:%M:%S')} {ward} ({self.names.get(ward, ward)}): {state}{extra}", flush=True)

    def task(self, ward: str, host: str, task: str) -> None:
        pass

    def note(self, text: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)

    def close(self) -> None:
        pass


class LiveProgress:
    """Per ward: its state (pending, running, ok, changed, failed, unreachable) and the current task. Called from
    the rollout's thread and, under `--rolling`, from each ward's worker: one lock around the table."""

    STYLES: ClassVar[dict[str, str]] = {
        "pending": "dim", "running": "cyan", "ok": "green", "changed": "yellow", "done": "green",
        "failed": "bold red", "unreachable": "magenta",
    }  # fmt: skip

    def __init__(self, names: dict[str, str]) -> None:
        from rich.console import Console
        from rich.live import Live

        self.names = names
        self.rows: dict[str, list[str]] = {w: ["pending", "", ""] for w in names}
        self.notes: list[str] = []
        self.lock = threading.Lock()
        self.console = Console()
        self.live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
        self.live.start()

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(title="wardctl rollout", expand=False)
        for col in ("ward", "name", "state", "current task / result"):
            table.add_column(col)
        for ward, (state, task, detail) in self.rows.items():
            style = self.STYLES.get(state, "")
            table.add_row(ward, self.names.get(ward, ward), f"[{style}]{state}[/]", detail or task)
        for note in self.notes[-3:]:
            table.caption = note
        return table

    def ward(self, ward: str, state: str, detail: str = "") -> None:
        with self.lock:
            self.rows.setdefault(ward, ["", "", ""])[0] = state
            self.rows[ward][2] = detail
            self.live.update(self._table())

    def task(self, ward: str, host: str, task: str) -> None:
        with self.lock:
            if ward in self.rows:
                self.rows[ward][1] = f"{host}: {task}"
                self.live.update(self._table())

    def note(self, text: str) -> None:
        with self.lock:
            self.notes.append(text)
            self.live.update(self._table())

    def close(self) -> None:
        self.live.stop()


def make(names: dict[str, str], plain: bool | None = None) -> Progress:
    if plain is None:
        plain = not sys.stdout.isatty()
    return PlainProgress(names) if plain else LiveProgress(names)
