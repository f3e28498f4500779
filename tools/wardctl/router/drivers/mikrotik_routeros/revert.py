"""RouterOS's revert, supplied by the kit: a one-shot script that is the inverse of the plan.

RouterOS keeps every change and has no revert timer, and `/import` of the pre-change export would run on top
of the changed configuration and stop at its first duplicate `add` (MikroTik manual, "Configuration
Management": import runs the script's commands; only `/system reset-configuration run-after-reset=` replaces,
with a reboot). So before the first change the push adds:

- scripts `wardkit-revert-1..N`: the plan's undo commands, last command's undo first (a script's source is
  kept short enough for one terminal line);
- script `wardkit-revert`: removes the scheduler entry first (so it can never run twice), runs the parts in
  order, then removes the scripts;
- scheduler `wardkit-revert`: runs that script once, at the router's own time now + N seconds (`interval=0`:
  "if time interval is set to zero, the script is only executed at its start time", MikroTik manual,
  "Scheduler").

Removing the scheduler entry (and the scripts) is the confirm; running the script is "revert now".
"""

from __future__ import annotations

import datetime as dt
import re

from wardctl.router.drivers.mikrotik_routeros.diff import REVERT_ITEM, quote
from wardctl.router.plan import Plan

# RouterOS's terminal takes lines of about 4 KB (Netmiko logs in with a 4098-column terminal): each part's
# `add source=...` line stays well below.
PART_CHARS = 2500
_DATE_FORMATS = ("%Y-%m-%d", "%b/%d/%Y")  # 7.10 and later print ISO dates; earlier ones `jan/02/2024`


def undo_lines(plan: Plan) -> list[str]:
    return [c for group in reversed(plan.undo) for c in group]


def parts(lines: list[str], limit: int = PART_CHARS) -> list[str]:
    """The undo lines cut into script sources of at most `limit` characters (a longer line is alone)."""
    out: list[str] = []
    cur = ""
    for line in lines:
        if cur and len(cur) + 1 + len(line) > limit:
            out.append(cur)
            cur = ""
        cur = f"{cur}\n{line}" if cur else line
    if cur:
        out.append(cur)
    return out


def find_all() -> str:
    return f'[ find name~"^{REVERT_ITEM}" ]'


def master(n_parts: int) -> str:
    run = [f"/system script run {REVERT_ITEM}-{i}" for i in range(1, n_parts + 1)]
    return "\n".join(
        [f"/system scheduler remove [ find name={REVERT_ITEM} ]", *run, f"/system script remove {find_all()}"]
    )


def arm(plan: Plan, clock: str, seconds: int) -> list[str]:
    """The commands that arm the revert, given `/system clock print` and the timer in seconds."""
    sources = parts(undo_lines(plan))
    cmds = [f"/system script add name={REVERT_ITEM}-{i} source={quote(src)}" for i, src in enumerate(sources, 1)]
    cmds.append(f"/system script add name={REVERT_ITEM} source={quote(master(len(sources)))}")
    date, time = start_at(clock, seconds)
    cmds.append(
        f"/system scheduler add name={REVERT_ITEM} start-date={date} start-time={time} interval=0s "
        f"on-event={REVERT_ITEM}"
    )
    return cmds


def disarm() -> list[str]:
    """The confirm: the entry first (it is what could still fire), then the scripts."""
    return [f"/system scheduler remove [ find name={REVERT_ITEM} ]", f"/system script remove {find_all()}"]


def start_at(clock: str, seconds: int) -> tuple[str, str]:
    """The router's own date and time `seconds` from now, in the date format it prints."""
    t = re.search(r"^\s*time:\s*(\d\d:\d\d:\d\d)", clock, re.M)
    d = re.search(r"^\s*date:\s*(\S+)", clock, re.M)
    if not (t and d):
        raise ValueError(f"cannot read the router's clock from {clock.strip()[:60]!r}")
    for fmt in _DATE_FORMATS:
        try:
            now = dt.datetime.strptime(f"{d.group(1)} {t.group(1)}", f"{fmt} %H:%M:%S")
        except ValueError:
            continue
        due = now + dt.timedelta(seconds=seconds)
        date = due.strftime(fmt)
        return (date.lower() if fmt.startswith("%b") else date), due.strftime("%H:%M:%S")
    raise ValueError(f"cannot read the router's date {d.group(1)!r}")
