"""/system scheduler: when each entry runs, and running its on-event.

Scheduler manual (help.mikrotik.com "Scheduler"): "interval - interval between two script executions, if time
interval is set to zero, the script is only executed at its start time, otherwise it is executed repeatedly
at the time interval specified"; "startup - execute the script 3 seconds after the system startup ... all
scripts having start-time is startup and interval is 0 will be executed once each time router boots. If the
interval is set to value other than 0 scheduler will not run at startup"; "Rebooting the router will reset
the run-count counter"; entries due together run "in the order they appear in the scheduler configuration".
"""

from __future__ import annotations

import calendar
import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wardsim.routeros.menus import Item
from wardsim.routeros.parse import parse_date, parse_time

if TYPE_CHECKING:
    from wardsim.routeros.router import RosRouter

log = logging.getLogger("wardsim.routeros")

STARTUP_DELAY = 3.0


@dataclass
class Job:
    plan: tuple[str, str, str]  # start-date, start-time, interval the due time was worked out from
    due: float  # wall-clock time of the next run; inf: never again
    runs: int = 0


class Scheduler:
    def __init__(self, router: RosRouter) -> None:
        self.r = router
        self.jobs: dict[int, Job] = {}
        self.booted_at = time.time()
        self.at_boot: set[int] = set()  # entries there at boot: only they get the startup run

    def boot(self, booted_at: float) -> None:
        self.jobs.clear()
        self.booted_at = booted_at
        self.at_boot = {i.id for i in self.r.db.items("/system scheduler")}

    def first_due(self, item: Item, now: float) -> float:
        props = item.props
        interval = parse_time(props.get("interval", "0s")) or 0.0
        start = props.get("start-time", "")
        if start == "startup":
            anchor = self.booted_at + STARTUP_DELAY if item.id in self.at_boot else math.inf
            if interval == 0:
                return anchor
            return anchor + interval  # with an interval it does not run at startup itself
        day = parse_date(props.get("start-date", ""))
        try:
            anchor = float(calendar.timegm(time.strptime(f"{day} {start}", "%Y-%m-%d %H:%M:%S")))
        except ValueError:
            return math.inf
        if interval == 0:
            return anchor if anchor > now else math.inf  # one run, at its start time; a past one never
        if anchor > now:
            return anchor
        return anchor + (math.floor((now - anchor) / interval) + 1) * interval

    def tick(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        items = self.r.db.items("/system scheduler")
        live = {i.id for i in items}
        for gone in set(self.jobs) - live:
            del self.jobs[gone]
        for item in list(items):
            if item not in self.r.db.items("/system scheduler"):
                continue  # an earlier event of this tick removed it (or replaced the configuration)
            if item.props.get("disabled") == "yes":
                self.jobs.pop(item.id, None)
                continue
            plan = (item.props.get("start-date", ""), item.props.get("start-time", ""), item.props.get("interval", ""))
            job = self.jobs.get(item.id)
            if job is None or job.plan != plan:
                job = self.jobs[item.id] = Job(plan, self.first_due(item, now), job.runs if job else 0)
            if now < job.due:
                continue
            interval = parse_time(item.props.get("interval", "0s")) or 0.0
            if interval > 0:
                while job.due <= now:
                    job.due += interval
            else:
                job.due = math.inf
            job.runs += 1
            self.run(item, job.runs)

    def run(self, item: Item, count: int) -> None:
        """Run the entry's on-event: a /system script of that name, else the text itself as a script. The
        run owns its source, so a script that removes its own entry and itself still runs to its end."""
        name = item.props.get("name", "")
        event = item.props.get("on-event", "")
        script = next((s for s in self.r.db.items("/system script") if s.props.get("name") == event), None)
        source = script.props.get("source", "") if script else event
        what = f"script {event}" if script else "on-event"
        _out, error = self.r.run_script(source, "admin")
        # One line per run in DIR/sim.log (the device itself logs only failures, below).
        state = "ok" if error is None else f"failed: {error.in_script()}"
        log.info("scheduler %s: run %d (%s): %s", name, count, what, state)
        if error is not None:
            # As RouterOS 7 logs them (Scripting manual, "Script permissions", /log print):
            #   script,error executing script add-dhcp-no-perms from scheduler (run-script-direct) failed, ...
            #   script,error,debug not enough permissions (9) (/ip/dhcp-client/add; line 1)
            #   script,error executing script from scheduler (run-script-use-script-perms) failed, ...
            #   script,error,debug (scheduler:run-script-use-script-perms) not enough permissions (9) (...)
            named = f"script {event} " if script else ""
            failed = f"executing script {named}from scheduler ({name}) failed, please check it manually"
            self.r.add_log("script,error", failed)
            prefix = "" if script else f"(scheduler:{name}) "
            self.r.add_log("script,error,debug", prefix + error.in_script())
        self.r.commit()
