"""The router playbook against 50 simulated routers, and the bare Netmiko floor for the same pushes.

    .venv/bin/python benchmarks/router_push.py [--routers 50] [--forks 25] [--dialects ios|mixed] [--repeat 3]

Starts its own router simulators (the `wardlabbench` instance's loopback range, 127.25.0.100 and up, port 2222,
in a private temporary directory) and stops every one of them at the end, also on error or Ctrl-C. First the
lines the playbook pushes to a fresh router are captured from a `--check` run of it (not timed). Then, --repeat
times, alternately and each on simulators reset to their first state:

  (a) wall time of `ansible-playbook playbooks/routers.yml` pushing the full intended config to every
      simulator: backup, diff, push under the revert timer, fresh-session verification, confirm, save;
  (b) the very lines (a) pushes, pushed by a bare Netmiko ThreadPoolExecutor with as many workers as (a) has
      forks: log in, send_config_set, `write memory` (IOS), log out. Timed as a whole process (interpreter and
      Netmiko import included, like the playbook) and as the pool alone.

It prints each run, then the medians and their ratio (the goal: the playbook within 2x the bare floor), only
when every router was configured on both sides in every run; the controller's and the simulators' CPU seconds,
in all and per router (on a shared machine wall time follows the neighbours, CPU seconds much less); and where
(a)'s wall time went: Ansible's profile_tasks per task, and the tasks each router ran (a task more per router is
a regression too). It asserts nothing.
The default mix is IOS only (the heavier dialect: more lines, an enable step, `write memory`); --dialects mixed
makes every third router a MikroTik.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import ipaddress
import json
import os
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from wardctl.inventory.model import City, CityServices, Router, Ward  # noqa: E402
from wardctl.inventory.writer import write_inventory  # noqa: E402
from wardctl.lab import keys, routers  # noqa: E402
from wardctl.lab.config import ROUTER_PORT  # noqa: E402
from wardctl.masking import MASK  # noqa: E402

FIRST_ADDRESS = ipaddress.IPv4Address("127.25.0.100")  # the wardlabbench range, above its own routers
WAN = {"cisco_ios": "GigabitEthernet0/0/0", "mikrotik_routeros": "ether1"}
VENV_BIN = Path(sys.executable).parent


def log(msg: str) -> None:
    print(msg, flush=True)


class Bench:
    def __init__(self, count: int, forks: int, mixed: bool) -> None:
        self.count = count
        self.forks = forks
        self.tmp = Path(tempfile.mkdtemp(prefix="wardkit-bench-"))
        self.tmp.chmod(0o700)
        self.sims = self.tmp / "routers"
        self.inventory = self.tmp / "inventory"
        self.known_hosts = self.tmp / "known_hosts"
        self.vault_password = self.tmp / "vault-password"
        self.password = secrets.token_urlsafe(18)
        self.enable = secrets.token_urlsafe(18)
        self.routers = [
            {
                "name": f"bench_{i:02d}-router",
                "ward": f"bench_{i:02d}",
                "dialect": "mikrotik_routeros" if mixed and i % 3 == 2 else "cisco_ios",
                "address": str(FIRST_ADDRESS + i),
            }
            for i in range(count)
        ]

    # --- simulators ----------------------------------------------------------------------------------------

    def dirs(self) -> list[Path]:
        return [self.sims / r["name"] for r in self.routers]

    def sim_cpu(self) -> float:
        """CPU seconds the running simulators have used so far (from /proc)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for d in self.dirs():
            pid = routers.pid_of(d)
            with contextlib.suppress(OSError, ValueError, TypeError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def start_sims(self) -> None:
        key = self.tmp / "host_key"
        pub = keys.ensure_keypair(key, "bench")
        lines = []
        for r, d in zip(self.routers, self.dirs(), strict=True):
            conf = routers.sim_config(
                r["dialect"], r["name"].upper().replace("_", "-"), r["address"], ROUTER_PORT, key,
                {"wardops": self.password}, self.enable, revert_unit_seconds=60,
            )  # fmt: skip
            routers.write_config(d, conf)
            lines.append(keys.known_hosts_line(r["address"], ROUTER_PORT, pub))
        self.known_hosts.write_text("\n".join(lines) + "\n")
        for d in self.dirs():
            routers.start(d)
        routers.wait_ready(self.dirs(), timeout=60)

    def stop_sims(self) -> None:
        for d in self.dirs():
            with contextlib.suppress(OSError):
                routers.stop(d)

    def reset_sims(self) -> None:
        """Back to the first boot: stopped, state removed, started again."""
        self.stop_sims()
        for d in self.dirs():
            for name in ("running.cfg", "startup.cfg", "user.dat", "faults.json"):
                (d / name).unlink(missing_ok=True)
            shutil.rmtree(d / "files", ignore_errors=True)
        for d in self.dirs():
            routers.start(d)
        routers.wait_ready(self.dirs(), timeout=60)

    # --- inventory -----------------------------------------------------------------------------------------

    def write_inventory(self) -> None:
        services = CityServices(
            mgmt_subnets=["127.0.0.1/32", "10.122.0.1/32"],
            mirror_url="http://10.122.0.2/",
            ntp_servers=["10.122.0.2"],
            dns_servers=["10.122.0.2"],
            syslog_server="10.122.0.2",
            iperf_server="10.122.0.2",
            province_meeting_server="10.122.0.3",
        )
        wards = []
        for r in self.routers:
            router = Router(r["name"], r["dialect"], r["address"], ROUTER_PORT, WAN[r["dialect"]], 50, 20)
            wards.append(Ward(id=r["ward"], display_name=f"Bench {r['ward']}", kind="phuong", router=router))
        vault_password = secrets.token_urlsafe(18)
        self.vault_password.write_text(vault_password + "\n")
        self.vault_password.chmod(0o600)
        write_inventory(
            City("bench", "Benchmark city", services, wards),
            self.inventory,
            vault_vars={
                "vault_router_username": "wardops",
                "vault_router_password": self.password,
                "vault_router_enable_secret": self.enable,
                "vault_windows_admin_user": "none",
                "vault_windows_admin_password": secrets.token_urlsafe(12),
                "vault_snmpv3_auth_key": secrets.token_urlsafe(12),
                "vault_snmpv3_priv_key": secrets.token_urlsafe(12),
            },
            vault_password=vault_password,
            extra_all_vars={"router_known_hosts": str(self.known_hosts)},
            header="Benchmark inventory (temporary).",
        )

    # --- (a) the playbook ----------------------------------------------------------------------------------

    def playbook(self, *extra: str, env: dict[str, str] | None = None) -> tuple[float, Any]:
        cmd = [
            str(VENV_BIN / "ansible-playbook"), "-i", str(self.inventory), "--vault-password-file",
            str(self.vault_password), "-f", str(self.forks), str(ROOT / "playbooks" / "routers.yml"),
            "-e", f"router_backup_dir={self.tmp / 'backups'}", *extra,
        ]  # fmt: skip
        # The bench routers' facts go to its temporary directory, not the project's cache (.cache/facts).
        full_env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
                    "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(self.tmp / "facts"), **(env or {})}  # fmt: skip
        start = time.monotonic()
        proc = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=900, check=False)
        return time.monotonic() - start, proc

    def capture_commands(self) -> dict[str, list[str]]:
        """The lines the playbook pushes to a fresh router, from a check-mode run (JSON callback)."""
        _, proc = self.playbook("--check", env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
        data = json.loads(proc.stdout)
        out: dict[str, list[str]] = {}
        for play in data["plays"]:
            for task in play["tasks"]:
                for host, res in task["hosts"].items():
                    if "commands" in res:
                        out[host] = res["commands"]
        masked = [h for h, cmds in out.items() if any(MASK in c for c in cmds)]
        if masked or len(out) != self.count:
            raise SystemExit(f"capture failed: {len(out)} routers, masked lines on {masked[:3]}")
        return out


class Cpu:
    """CPU seconds used from now on by our child processes (the playbook or the pool) and by the simulators: on
    a shared machine the wall time depends on the neighbours, the CPU seconds much less."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.children = self._children()
        self.sims = bench.sim_cpu()
        self.controller, self.simulators = 0.0, 0.0

    @staticmethod
    def _children() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    def since(self) -> None:
        self.controller, self.simulators = self._children() - self.children, self.bench.sim_cpu() - self.sims

    def text(self) -> str:
        n = self.bench.count
        return (
            f"CPU {self.controller:.1f} s controller + {self.simulators:.1f} s simulators; per router "
            f"{self.controller / n:.3f} s + {self.simulators / n:.3f} s"
        )


def breakdown(stdout: str) -> str:
    """Where the playbook's wall time went (profile_tasks' recap) and how many tasks each router ran."""
    tasks = re.findall(r"^(.+?) -+ (\d+\.\d+)s\s*$", stdout, re.M)
    oks = {int(n) for n in re.findall(r"^\S+\s+: ok=(\d+)", stdout, re.M)}
    per_task = "; ".join(f"{name.strip()[:60]} {secs} s" for name, secs in tasks)
    return f"    tasks per router: {'/'.join(map(str, sorted(oks))) or '?'}; wall per task: {per_task or '?'}"


def bare_worker(spec_file: Path) -> None:
    """(b) in its own process: a ThreadPoolExecutor of plain Netmiko sessions."""
    start_process = float(os.environ["BENCH_T0"])
    from netmiko import ConnectHandler  # imported here: timed as part of the floor, as the playbook's is

    from wardctl.router.drivers import driver

    spec = json.loads(spec_file.read_text())

    def push(r: dict[str, Any]) -> int:
        # Netmiko's own defaults plus the same host-key check: not the kit's tuned settings (wardctl.netdev),
        # so tuning the kit moves (a) and never the floor it is compared with.
        conn = ConnectHandler(
            device_type=r["dialect"], host=r["address"], port=ROUTER_PORT, username="wardops",
            password=spec["password"], secret=spec["enable"], ssh_strict=True, system_host_keys=False,
            alt_host_keys=True, alt_key_file=spec["known_hosts"], use_keys=False, allow_agent=False,
        )  # fmt: skip
        try:
            if r["dialect"] == "cisco_ios":
                conn.enable()
            conn.send_config_set(
                r["commands"], error_pattern=driver(r["dialect"]).error_pattern, read_timeout=10, bypass_commands=""
            )
            if r["dialect"] == "cisco_ios":
                conn.save_config()
        finally:
            conn.disconnect()
        return len(r["commands"])

    start_pool = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=spec["forks"]) as pool:
        lines = sum(pool.map(push, spec["routers"]))
    end = time.time()
    print(json.dumps({"pool": time.monotonic() - start_pool, "process": end - start_process, "lines": lines}))


def run_playbook(bench: Bench) -> tuple[float, int, Cpu, str]:
    """(a) once, on fresh simulators: wall, routers configured, CPU, the breakdown line."""
    cpu = Cpu(bench)
    # profile_tasks beside the callbacks ansible.cfg enables (it would replace them alone)
    callbacks = "wardkit.core.lean_workers,ansible.posix.profile_tasks"
    wall, proc = bench.playbook(env={"ANSIBLE_CALLBACKS_ENABLED": callbacks})
    cpu.since()
    recap = re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout, re.M)
    good = sum(1 for _, changed, unreach, failed in recap if changed == "1" and unreach == failed == "0")
    if good != bench.count:
        log(proc.stdout[-3000:] + proc.stderr[-2000:])
    return wall, good, cpu, breakdown(proc.stdout)


def run_bare(bench: Bench, spec_file: Path) -> tuple[float, float, int, int, Cpu]:
    """(b) once, on fresh simulators: wall as a process, wall of the pool, lines, routers configured, CPU."""
    env = {**os.environ, "BENCH_T0": repr(time.time())}
    cpu = Cpu(bench)
    start = time.monotonic()
    bare = subprocess.run(
        [sys.executable, __file__, "--bare-worker", str(spec_file)],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    wall = time.monotonic() - start
    cpu.since()
    if bare.returncode != 0:
        raise SystemExit(f"(b) bare Netmiko pool failed: {bare.stderr[-2000:]}")
    figures = json.loads(bare.stdout.strip().splitlines()[-1])
    configured = sum(1 for d in bench.dirs() if "wardkit" in (d / "running.cfg").read_text().lower())
    return wall, figures["pool"], figures["lines"], configured, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routers", type=int, default=50)
    parser.add_argument("--forks", type=int, default=25)
    parser.add_argument("--dialects", choices=("ios", "mixed"), default="ios")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side, alternately (medians printed)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--bare-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_worker:
        bare_worker(args.bare_worker)
        return 0
    if not 1 <= args.routers <= 150:
        parser.error("--routers: 1-150 (the addresses 127.25.0.100-249)")
    if not 1 <= args.repeat <= 9:
        parser.error("--repeat: 1-9")

    bench = Bench(args.routers, args.forks, args.dialects == "mixed")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        dialects = {r["dialect"] for r in bench.routers}
        log(f"{args.routers} router simulators ({', '.join(sorted(dialects))}), forks {args.forks}, "
            f"{args.repeat} runs of each side; in {bench.tmp}")  # fmt: skip
        bench.start_sims()
        bench.write_inventory()
        commands = bench.capture_commands()  # the simulators are fresh
        spec = {
            "password": bench.password,
            "enable": bench.enable,
            "known_hosts": str(bench.known_hosts),
            "forks": args.forks,
            "routers": [{**r, "commands": commands[r["name"]]} for r in bench.routers],
        }
        spec_file = bench.tmp / "bare.json"
        spec_file.write_text(json.dumps(spec))
        spec_file.chmod(0o600)

        # Alternately, each on fresh simulators: on a shared machine the neighbours' load drifts, and a drift
        # then falls on both sides instead of on one.
        walls_a: list[float] = []
        walls_b: list[float] = []
        pools_b: list[float] = []
        cpus_a: list[Cpu] = []
        cpus_b: list[Cpu] = []
        for i in range(args.repeat):
            bench.reset_sims()
            wall_a, good, cpu_a, line = run_playbook(bench)
            log(f"(a) run {i + 1}: ansible-playbook routers.yml {wall_a:.2f} s wall, {good}/{args.routers} routers "
                f"configured; {cpu_a.text()}")  # fmt: skip
            if i == 0:
                log(line)
            bench.reset_sims()
            wall_b, pool_b, lines, configured, cpu_b = run_bare(bench, spec_file)
            log(f"(b) run {i + 1}: bare Netmiko ThreadPoolExecutor({args.forks}) {wall_b:.2f} s wall as a process "
                f"({pool_b:.2f} s in the pool), {lines} lines, {configured}/{args.routers} configured; "
                f"{cpu_b.text()}")  # fmt: skip
            if good != args.routers or configured != args.routers:
                # A ratio over runs that did not do the same work would mislead: say so and stop.
                log(f"no ratio: the playbook configured {good} and the floor {configured} of {args.routers} routers")
                return 1
            walls_a.append(wall_a)
            walls_b.append(wall_b)
            pools_b.append(pool_b)
            cpus_a.append(cpu_a)
            cpus_b.append(cpu_b)

        med = statistics.median
        ctl_a, ctl_b = med(c.controller for c in cpus_a), med(c.controller for c in cpus_b)
        all_a = med(c.controller + c.simulators for c in cpus_a)
        all_b = med(c.controller + c.simulators for c in cpus_b)
        log(f"medians of {args.repeat}: playbook {med(walls_a):.2f} s, bare floor {med(walls_b):.2f} s "
            f"({med(pools_b):.2f} s in the pool); controller CPU {ctl_a:.1f} s vs {ctl_b:.1f} s")  # fmt: skip
        log(f"ratio playbook / bare floor: {med(walls_a) / med(walls_b):.2f}x (process), "
            f"{med(walls_a) / med(pools_b):.2f}x (pool only); controller CPU {ctl_a / ctl_b:.2f}x, "
            f"all CPU {all_a / all_b:.2f}x")  # fmt: skip
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        bench.stop_sims()
        if not args.keep:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
