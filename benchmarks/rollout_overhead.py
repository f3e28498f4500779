#!/usr/bin/env python3
"""What wardctl's wrapping costs: one wave through `wardctl rollout` against plain `ansible-playbook` on the
same lab hosts, alternating, several rounds; prints the medians and their ratio (goal: <= 1.10).

    .venv/bin/python benchmarks/rollout_overhead.py [--wards 5] [--rounds 3] [--playbook demo.yml]

Uses the lab instance named by WARDCTL_LAB_NAME (default `wardlab`), starting it if needed. The health gate is
off for the wardctl side so both run exactly one playbook.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed ({proc.returncode}):\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wards", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--playbook", default="site.yml" if (ROOT / "playbooks/site.yml").exists() else "demo.yml")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "tools"))
    from wardctl.inventory.reader import read_inventory
    from wardctl.lab.config import LabConfig

    lab = LabConfig.from_env()
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), CONTAINERS_CONF=str(ROOT / "lab/containers.conf"))
    subprocess.run([str(BIN / "wardctl"), "lab", "up"], cwd=ROOT, env=env, check=True, capture_output=True)
    wards = [w.id for w in read_inventory(lab.inventory_dir).wards][1 : args.wards + 1]
    vault = str(lab.vault_password_file)
    plain = [str(BIN / "ansible-playbook"), "-i", str(lab.inventory_dir), "--vault-password-file", vault,
             "--limit", ":".join(wards), "--diff", str(ROOT / "playbooks" / args.playbook)]  # fmt: skip
    wrapped = [str(BIN / "wardctl"), "rollout", "--plain", "-i", str(lab.inventory_dir), "--vault-password-file", vault,
               "--wards", ",".join(wards), "--wave-size", str(len(wards)), "--gate-playbook", "",
               "--playbook", args.playbook]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="wardctl-bench-state-") as state:
        wenv = dict(env, WARDCTL_STATE_DIR=state)
        timed(plain, env)  # warm-up: facts, ControlPersist sockets, page cache
        a, b = [], []
        for _ in range(args.rounds):
            a.append(timed(plain, env))
            b.append(timed(wrapped, wenv))
    pa, pb = statistics.median(a), statistics.median(b)
    print(f"playbook {args.playbook}, {len(wards)} wards ({', '.join(wards)}), {args.rounds} rounds, lab {lab.name}")
    print(f"ansible-playbook      median {pa:6.2f} s   runs: {', '.join(f'{x:.2f}' for x in a)}")
    print(f"wardctl rollout       median {pb:6.2f} s   runs: {', '.join(f'{x:.2f}' for x in b)}")
    print(f"ratio wardctl/ansible-playbook: {pb / pa:.3f}  (goal <= 1.10)")


if __name__ == "__main__":
    main()
