"""Ctrl-C during a task that works in Ansible's worker (as a router push does): the real ansible-runner and
ansible-playbook on this machine, a play on localhost whose action takes seconds and then writes what a
confirmed push would. Cancelled, the worker must stop, not finish the task alone (rollout/stop.py)."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest

from wardctl.rollout import runner, stop

SECONDS = 12.0  # runner looks at its cancel callback every few seconds: the task must outlast that

ACTION = '''
import os
import time
from pathlib import Path

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Stands for a router push: the work happens here, in the worker process."""

    def run(self, tmp=None, task_vars=None):
        out = Path(self._task.args["out"])
        (out / "started").write_text(str(os.getpid()))
        time.sleep(float(self._task.args["seconds"]))
        (out / "finished").write_text("pushed and confirmed")
        return {"changed": True}
'''


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("accelerate", [False, True], ids=["plain", "accelerated"])
def test_a_cancelled_run_stops_the_task_in_its_worker(tmp_path: Path, accelerate: bool) -> None:
    play_dir, out = tmp_path / "play", tmp_path / "out"
    (play_dir / "action_plugins").mkdir(parents=True)
    out.mkdir()
    (play_dir / "action_plugins" / "slow_push.py").write_text(ACTION)
    (play_dir / "push.yml").write_text(json.dumps([{
        "name": "A push that takes time", "hosts": "all", "gather_facts": False,
        "tasks": [{"name": "Push", "slow_push": {"out": str(out), "seconds": SECONDS}}],
    }]))  # fmt: skip
    inventory = tmp_path / "hosts"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    spec = runner.PlaybookRun(play_dir / "push.yml", inventory, ["localhost"], accelerate=accelerate)
    asked = threading.Event()
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(runner.run(spec, tmp_path / "private",
                                                                       cancelled=asked.is_set)))  # fmt: skip
    thread.start()
    deadline = time.monotonic() + 120
    while not (out / "started").exists():
        assert thread.is_alive() and time.monotonic() < deadline, f"the task never started: {results}"
        time.sleep(0.05)
    started = time.monotonic()
    worker = int((out / "started").read_text())
    asked.set()  # Ctrl-C
    thread.join(60)
    assert not thread.is_alive() and results and getattr(results[0], "cancelled", False), results
    assert not _alive(worker), "the worker is still running after the run was cancelled"
    # The worker, the one process that would write `finished`, was gone before its task could end: no need to wait
    # out the task's time to know it will never finish.
    assert time.monotonic() < started + SECONDS, "the cancel took as long as the task: it proves nothing"
    assert not (out / "finished").exists(), "the task went on after Ctrl-C and finished"
    # Nothing of that run is left: no process with its mark.
    mark = f"{stop.MARK}=private".encode()
    left = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and mark in (proc / "environ").read_bytes().split(b"\0"):
                left.append(proc.name)
        except OSError:
            continue
    assert not [pid for pid in left if _alive(int(pid))], left
