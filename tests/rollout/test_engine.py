"""The rollout engine and its record without a lab: ansible-runner is replaced by a scripted fake, so waves,
budgets, resume settings, the lock and bad state are checked in seconds. The real runner is in test_rollout.py."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

from wardctl import cli
from wardctl.inventory.reader import read_inventory
from wardctl.record.state import state_dir
from wardctl.record.store import HostCounts, RunSettings, Store, WaveOutcome
from wardctl.rollout import lock, runner

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "inventory" / "vungtau"  # read only: nothing here connects to a host
TOUCH = Path(__file__).parent / "playbooks" / "touch.yml"
HOST_WARD = {h: w.id for w in read_inventory(CITY).wards for h in w.hosts}


class FakeRunner:
    """Records every playbook run; wards in `fail` come out failed, every other host changed once."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.calls: list[runner.PlaybookRun] = []
        self.fail = fail or set()

    def __call__(self, spec: runner.PlaybookRun, private_dir: Path, **_: object) -> WaveOutcome:
        self.calls.append(spec)
        out = WaveOutcome()
        for host, ward in HOST_WARD.items():
            if ward in spec.limit:
                out.hosts[host] = HostCounts(ok=1, changed=1, failed=int(ward in self.fail))
        return out

    @property
    def limits(self) -> list[list[str]]:
        return [c.limit for c in self.calls]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRunner:
    fake = FakeRunner()
    monkeypatch.setattr(runner, "run", fake)
    return fake


def wardctl(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Exit code and standard error; standard output is echoed back for the test to read."""
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    print(out, end="")
    return code, err


def rollout(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    return wardctl(capsys, "rollout", "--plain", "--gate-playbook", "", *args)


def dump(state: Path) -> list[tuple[object, ...]]:
    """Everything the record holds, to compare before and after a refused command."""
    conn = sqlite3.connect(state / "runs.db")
    try:
        return [row for table in ("runs", "wards", "hosts", "failures", "reports")
                for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]  # fmt: skip
    finally:
        conn.close()


def runs(state: Path) -> list[sqlite3.Row]:
    store = Store(state / "runs.db")
    try:
        return store.runs()
    finally:
        store.close()


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wardctl: ") and "Traceback" not in err, err
    return lines[0]


# --- waves, budget, tags ----------------------------------------------------------------------------------------


def test_waves_1_5_100_percent(state, fake, capsys):
    code, _ = rollout(capsys, "-i", str(CITY), "--all", "--waves", "1,5,100%", "--playbook", str(TOUCH))
    assert code == 0
    assert [len(w) for w in fake.limits] == [1, 5, 12]  # 100% of 18 wards: the rest, in one wave
    assert sorted(w for wave in fake.limits for w in wave) == sorted(set(HOST_WARD.values()))


def test_canary_goes_alone_before_the_waves(state, fake, capsys):
    code, _ = rollout(capsys, "-i", str(CITY), "--canary", "phuong_3", "--waves", "1,5,100%", "--playbook", str(TOUCH))
    assert code == 0
    assert fake.limits[0] == ["phuong_3"] and [len(w) for w in fake.limits] == [1, 1, 5, 11]


def test_failure_budget_above_zero(state, fake, capsys):
    fake.fail = {"phuong_1", "phuong_2"}
    wards = "phuong_1,phuong_2,phuong_3,phuong_4"
    code, _ = rollout(capsys, "-i", str(CITY), "--wards", wards, "--wave-size", "1", "--max-failed-wards", "1",
                      "--playbook", str(TOUCH))  # fmt: skip
    assert code == 1
    # One failed ward is within the budget: wave 2 ran. Two exceed it: waves 3 and 4 never started.
    assert fake.limits == [["phuong_1"], ["phuong_2"]]
    assert "stopping before wave 3: 2 failed ward(s) exceed the budget of 1" in capsys.readouterr().out
    statuses = {w["ward"]: w["status"] for w in Store(state / "runs.db").wards(runs(state)[0]["run_id"])}
    assert statuses == {"phuong_1": "failed", "phuong_2": "failed", "phuong_3": "pending", "phuong_4": "pending"}


def test_tags_and_check_reach_the_playbook(state, fake, capsys):
    code, _ = rollout(capsys, "-i", str(CITY), "--wards", "phuong_5", "--tags", "qos,mgmt", "--check",
                      "--playbook", str(TOUCH))  # fmt: skip
    assert code == 2  # changes pending
    assert [(c.tags, c.check, c.inventory) for c in fake.calls] == [("qos,mgmt", True, CITY.resolve())]


# --- resume: the recorded settings ------------------------------------------------------------------------------


def _failed_check_run(state: Path, fake: FakeRunner, capsys: pytest.CaptureFixture[str]) -> str:
    fake.fail = {"phuong_10"}
    code, _ = rollout(capsys, "-i", str(CITY), "--wards", "phuong_10,phuong_7", "--wave-size", "1", "--check",
                      "--tags", "qos", "--max-failed-wards", "1", "--playbook", str(TOUCH))  # fmt: skip
    assert code == 1
    fake.calls.clear()
    fake.fail = set()
    return str(runs(state)[0]["run_id"])


def test_resume_takes_inventory_check_mode_playbook_and_tags_from_the_record(state, fake, capsys, monkeypatch):
    run_id = _failed_check_run(state, fake, capsys)
    monkeypatch.setenv("WARDCTL_LAB_NAME", "wardlabmini")  # without the record, its inventory would be used
    code, err = wardctl(capsys, "rollout", "--plain", "--resume", run_id)
    assert code == 2, err  # a dry run still: changes pending, nothing applied
    assert [(c.inventory, c.check, c.tags, c.playbook, c.limit) for c in fake.calls] == [
        (CITY.resolve(), True, "qos", TOUCH, ["phuong_10"])
    ]
    assert len(runs(state)) == 1


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--check"], "--check conflicts with the run's recorded mode: an apply run"),
        (["-i", "inventory/lab"], "-i inventory/lab conflicts with the run's recorded inventory"),
        (["--playbook", "routers.yml"], "--playbook routers.yml conflicts with the run's recorded playbook"),
        (["--tags", "mgmt"], "--tags mgmt conflicts with the run's recorded tags (none)"),
        (["--max-failed-wards", "3"], "--max-failed-wards 3 conflicts with the run's recorded budget 1"),
        (["--waves", "2"], "--waves 2 conflicts with the run's recorded waves phuong_10 | phuong_7"),
    ],
)
def test_resume_refuses_a_conflicting_flag_and_changes_nothing(state, fake, capsys, flags, named):
    fake.fail = {"phuong_10"}
    code, _ = rollout(capsys, "-i", str(CITY), "--wards", "phuong_10,phuong_7", "--wave-size", "1",
                      "--max-failed-wards", "1", "--playbook", str(TOUCH))  # fmt: skip
    assert code == 1
    run_id = str(runs(state)[0]["run_id"])
    before, fake.calls = dump(state), []
    code, err = wardctl(capsys, "rollout", "--plain", "--resume", run_id, *flags)
    assert code == 1 and named in one_line(err)
    assert dump(state) == before and fake.calls == []


def test_no_vault_password_is_refused_before_anything_runs(state, fake, capsys, monkeypatch):
    """Without one, every ward would fail at its first play ("no vault secrets found"), one by one."""
    monkeypatch.delenv("ANSIBLE_VAULT_PASSWORD_FILE")
    code, err = rollout(capsys, "-i", str(CITY), "--wards", "phuong_10", "--playbook", str(TOUCH))
    assert code == 1 and f"inventory {CITY.resolve()}: no vault password" in one_line(err)
    assert "--vault-password-file FILE" in err and fake.calls == [] and not (state / "runs.db").exists()
    missing = state.parent / "no-such-password"
    code, err = rollout(capsys, "-i", str(CITY), "--wards", "phuong_10", "--vault-password-file", str(missing))
    assert code == 1 and one_line(err) == f"wardctl: --vault-password-file {missing}: no such file"
    assert fake.calls == [] and not (state / "runs.db").exists()


def test_a_relative_vault_password_file_reaches_the_playbook_as_given(state, fake, capsys, monkeypatch):
    """ansible-playbook runs in playbooks/ (ansible-runner's project dir): `--vault-password-file .lab/x` must
    still mean the file next to where wardctl was started, not playbooks/.lab/x (seen on the lab: every ward
    failed with "The vault password file ... not found")."""
    here = state.parent / "work"
    (here / "secrets").mkdir(parents=True)
    (here / "secrets" / "vault-password").write_text("not-used\n")
    monkeypatch.chdir(here)
    code, _ = rollout(capsys, "-i", str(CITY), "--wards", "phuong_10", "--playbook", str(TOUCH),
                      "--vault-password-file", "secrets/vault-password")  # fmt: skip
    assert code == 0
    assert {c.vault_password_file for c in fake.calls} == {here.resolve() / "secrets" / "vault-password"}


def test_a_resume_without_the_vault_password_changes_nothing(state, fake, capsys, monkeypatch):
    """A run does not record where its password was: a resume must be given it again, not fail one more ward."""
    fake.fail = {"phuong_10"}
    code, _ = rollout(capsys, "-i", str(CITY), "--wards", "phuong_10,phuong_7", "--wave-size", "1",
                      "--playbook", str(TOUCH))  # fmt: skip
    assert code == 1
    run_id = str(runs(state)[0]["run_id"])
    before, fake.calls = dump(state), []
    monkeypatch.delenv("ANSIBLE_VAULT_PASSWORD_FILE")
    code, err = wardctl(capsys, "rollout", "--plain", "--resume", run_id)
    assert code == 1 and "no vault password" in one_line(err) and "--resume" in err
    assert dump(state) == before and fake.calls == []


def test_resume_of_a_dry_run_may_repeat_its_own_flags(state, fake, capsys):
    run_id = _failed_check_run(state, fake, capsys)
    args = ["--check", "--tags", "qos", "-i", str(CITY), "--playbook", str(TOUCH), "--wave-size", "1"]
    code, err = wardctl(capsys, "rollout", "--plain", "--resume", run_id, *args)
    assert code == 2, err


def test_an_older_record_is_migrated_and_resumable(state, fake, capsys):
    state.mkdir()
    old = sqlite3.connect(state / "runs.db")
    old.executescript(
        "CREATE TABLE runs (run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,"
        " inventory TEXT NOT NULL, playbook TEXT NOT NULL, check_mode INTEGER NOT NULL, tags TEXT, waves TEXT NOT NULL,"
        " canary TEXT, max_failed_wards INTEGER, resumes INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE wards (run_id TEXT NOT NULL, ward TEXT NOT NULL, display_name TEXT NOT NULL, wave INTEGER NOT "
        "NULL, status TEXT NOT NULL, gate TEXT, changed INTEGER NOT NULL DEFAULT 0, message TEXT, started_at TEXT, "
        "finished_at TEXT, PRIMARY KEY (run_id, ward));"
    )
    old.execute("INSERT INTO runs VALUES ('old-1', '2021-06-01T00:00:00Z', NULL, 'failed', ?, 'touch.yml', 0, NULL,"
                " '[[\"phuong_8\"]]', NULL, 0, 0)", (str(CITY.resolve()),))  # fmt: skip
    old.execute("INSERT INTO wards (run_id, ward, display_name, wave, status) VALUES "
                "('old-1', 'phuong_8', 'P8', 0, 'failed')")  # fmt: skip
    old.commit()
    old.close()
    # The old record kept the playbook's name only: naming it again is accepted, and the gate is taken as given.
    code, err = wardctl(capsys, "rollout", "--plain", "--resume", "old-1", "--playbook", str(TOUCH),
                        "--gate-playbook", "")  # fmt: skip
    assert code == 0, err
    assert [c.limit for c in fake.calls] == [["phuong_8"]]
    assert Store(state / "runs.db").settings("old-1") == RunSettings(
        str(CITY.resolve()), "touch.yml", False, None, [["phuong_8"]], None, 0, None
    )


# --- the lock comes first ---------------------------------------------------------------------------------------


def test_a_second_rollout_writes_nothing(state, fake, capsys):
    with lock.exclusive(state, "run first-one"):
        code, err = rollout(capsys, "-i", str(CITY), "--wards", "phuong_1", "--playbook", str(TOUCH))
    assert code == 1 and "another rollout is running (run first-one, pid" in one_line(err)
    assert not (state / "runs.db").exists() and fake.calls == []
    # With a record: `latest` stays what it was.
    assert rollout(capsys, "-i", str(CITY), "--wards", "phuong_1", "--playbook", str(TOUCH))[0] == 0
    before = dump(state)
    with lock.exclusive(state, "run first-one"):
        code, err = rollout(capsys, "-i", str(CITY), "--wards", "phuong_2", "--playbook", str(TOUCH))
    assert code == 1 and "another rollout is running" in one_line(err)
    assert dump(state) == before


def test_resuming_a_live_run_from_a_second_shell_resets_nothing(state, fake, capsys):
    fake.fail = {"phuong_9"}
    assert rollout(capsys, "-i", str(CITY), "--wards", "phuong_9", "--playbook", str(TOUCH))[0] == 1
    run_id = str(runs(state)[0]["run_id"])
    before = dump(state)
    with lock.exclusive(state, f"run {run_id}"):
        code, err = wardctl(capsys, "rollout", "--plain", "--resume", run_id)
    assert code == 1 and f"another rollout is running (run {run_id}" in one_line(err)
    assert dump(state) == before  # the failed ward is still failed, not reset to pending


# --- bad state: one line, never a traceback ---------------------------------------------------------------------


@pytest.mark.parametrize("verb", [["status"], ["report", "--city", "--format", "json"], ["rollout", "--resume", "x"],
                                  ["report", "phuong_1"]])  # fmt: skip
def test_a_corrupt_record_is_one_line(state, capsys, verb):
    state.mkdir()
    (state / "runs.db").write_bytes(b"this is not an sqlite database, it was overwritten" * 100)
    code, err = wardctl(capsys, *verb)
    assert code == 1 and "runs.db is unreadable" in one_line(err)


def test_an_oversize_csv_cell_is_one_line(tmp_path, capsys):
    sheet = tmp_path / "wards.csv"
    sheet.write_text('ward_id,display_name\nphuong_1,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    code, err = wardctl(capsys, "inventory", "import", str(sheet), "--out", str(tmp_path / "out"))
    assert code == 1 and "wards.csv" in one_line(err)


def test_an_unexpected_error_prints_one_line_and_keeps_the_trace_private(state, capsys, monkeypatch):
    def boom(_args: object) -> int:
        raise RuntimeError("something broke: password=hunter2")

    monkeypatch.setattr("wardctl.report.cli._status", boom)
    code, err = wardctl(capsys, "status")
    line = one_line(err)
    assert code == 1 and "RuntimeError" in line and "hunter2" not in line
    trace = Path(line.rsplit("trace in ", 1)[1].rstrip(")"))
    assert trace.parent == state / "errors" and trace.stat().st_mode & 0o777 == 0o600
    assert (state / "errors").stat().st_mode & 0o777 == 0o700
    text = trace.read_text()
    assert "Traceback" in text and "boom" in text and "hunter2" not in text


def test_ctrl_c_is_130_not_a_trace(state, capsys, monkeypatch):
    def interrupted(_args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("wardctl.report.cli._status", interrupted)
    assert wardctl(capsys, "status") == (130, "wardctl: interrupted\n")
    assert not (state / "errors").exists()


# --- what stays on disk -----------------------------------------------------------------------------------------


def test_state_is_private_whatever_the_umask(state, fake, capsys):
    old = os.umask(0)
    try:
        assert rollout(capsys, "-i", str(CITY), "--wards", "phuong_1", "--playbook", str(TOUCH))[0] == 0
    finally:
        os.umask(old)
    assert state_dir() == state.resolve()
    assert state.stat().st_mode & 0o777 == 0o700
    files = [p for p in state.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"runs.db", "rollout.lock"}
    assert {p.name: p.stat().st_mode & 0o777 for p in files} == {p.name: 0o600 for p in files}


def test_masked_on_the_way_into_the_record(tmp_path):
    from wardctl.record.store import Failure

    store = Store(tmp_path / "runs.db")
    settings = RunSettings(str(CITY), "site.yml", False, None, [["phuong_1"]], None, 0, "")
    store.create_run("r1", settings, {"phuong_1": "Phường 1"})
    store.mark_running("r1", ["phuong_1"])
    outcome = WaveOutcome(hosts={"phuong_1-router": HostCounts(failed=1)})
    outcome.failures.append(Failure("phuong_1-router", "push", "rejected: snmp-server community s3cretcomm RO"))
    outcome.reports[("phuong_1-router", "router")] = {
        "diff": "+ username admin secret 0 Hunter2pass",
        "api_token": "tok-123456",
        "nested": [{"password": "pw-xyz"}],
    }
    store.record_wave("r1", {"phuong_1-router": "phuong_1"}, outcome,
                      {"phuong_1": ("failed", None, "apply: password=inline-pw")})  # fmt: skip
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("runs.db*"))
    for secret in (b"s3cretcomm", b"Hunter2pass", b"tok-123456", b"pw-xyz", b"inline-pw"):
        assert secret not in raw


def test_runner_removes_its_artifacts_once_read(tmp_path):
    """The real ansible-runner on localhost: the private data dir (env in `command`, full stdout) is gone."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=" + sys.executable + "\n")
    playbook = tmp_path / "one.yml"
    playbook.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: 'true'\n")
    private = tmp_path / "state" / "runner" / "r-w0-1-apply"
    outcome = runner.run(runner.PlaybookRun(playbook, inventory, ["localhost"]), private)
    assert outcome.hosts["localhost"].changed == 1
    assert not private.exists()
    (tmp_path / "state" / "runner" / "left-by-a-killed-run" / "artifacts").mkdir(parents=True)
    runner.sweep(tmp_path / "state" / "runner")
    assert list((tmp_path / "state" / "runner").iterdir()) == []
