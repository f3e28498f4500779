"""The lab's hosts: one systemd + sshd container per endpoint, on the lab's own bridge network."""

from __future__ import annotations

import hashlib
import io
import socket
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from wardctl.errors import WardctlError
from wardctl.lab import daemon, podman
from wardctl.lab.config import LabConfig

# What a real PC has that a default container lacks: nftables and auditd need these to run unmodified.
CAPS = ("NET_ADMIN", "AUDIT_CONTROL", "AUDIT_WRITE", "SYS_PTRACE")


@dataclass(frozen=True)
class HostFile:
    path: str
    content: bytes
    mode: int = 0o644


def _tar(files: list[HostFile]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for f in files:
            info = tarfile.TarInfo(f.path.lstrip("/"))
            info.size, info.mode = len(f.content), f.mode
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(f.content))
    return buf.getvalue()


# Every systemd in every container takes inotify instances from root's one kernel-wide budget (default 128):
# twenty-odd lab hosts exhaust it and their systemd stalls before sshd starts.
INOTIFY_LIMITS = {"/proc/sys/fs/inotify/max_user_instances": 8192, "/proc/sys/fs/inotify/max_user_watches": 524288}


def raise_host_limits() -> list[str]:
    """Raise the host's inotify limits when below what the lab needs (runtime only; not persisted)."""
    raised = []
    for path, wanted in INOTIFY_LIMITS.items():
        knob = Path(path)
        if int(knob.read_text()) < wanted:
            knob.write_text(f"{wanted}\n")
            raised.append(f"{knob.name}={wanted}")
    return raised


def ensure_network(cfg: LabConfig) -> None:
    if podman.exists("network", cfg.network):
        return
    podman.podman(
        "network", "create", "--subnet", str(cfg.subnet), "--gateway", cfg.gateway,
        "--label", f"wardlab.instance={cfg.name}", cfg.network,
    )  # fmt: skip


FILES_LABEL = "wardlab.files"  # digest of the files a host was created with (its keys among them)


def _files_digest(files: list[HostFile]) -> str:
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.path):
        h.update(f"{f.path}\0{f.mode:o}\0{len(f.content)}\0".encode() + f.content)
    return h.hexdigest()[:16]


def _inspect(name: str) -> tuple[str, int, str]:
    """(status, pid, files digest); status "absent" when there is no such container, "gone" when podman still
    records it running but its processes have ended (the session or machine that ran them stopped without
    podman seeing it: `podman start` then does nothing and no sshd ever answers)."""
    if not podman.exists("container", name):
        return "absent", 0, ""
    fmt = '{{.Id}} {{.State.Status}} {{.State.Pid}} {{index .Config.Labels "' + FILES_LABEL + '"}}'
    cid, status, pid, digest = [*podman.podman("inspect", "--format", fmt, name).split(), ""][:4]
    if status == "running" and not _runs(int(pid), cid):
        return "gone", 0, digest
    return status, int(pid), digest


def _runs(pid: int, container_id: str) -> bool:
    """The container's init is alive, and is the container's: after a restart of the machine's processes the
    PID may belong to another process now (the container's cgroup path names its ID)."""
    try:
        return daemon.alive(pid) and container_id in Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return False


def state(name: str) -> tuple[str, int]:
    """(status, pid) of a container; ("absent", 0) when there is none, ("gone", 0) when its processes ended."""
    status, pid, _ = _inspect(name)
    return status, pid


def ensure(cfg: LabConfig, host: str, address: str, labels: dict[str, str], files: list[HostFile], dns: str) -> str:
    """Create (with its files) and start the container for `host`; returns what was done. A container whose
    processes are gone, or that was made with other files (another checkout's keys, a regenerated key), is
    replaced from the image (a fresh disk): reusing it would leave a host no key of this lab can reach."""
    name = cfg.container(host)
    digest = _files_digest(files)
    status, _, had = _inspect(name)
    # Beyond running and startable, podman 4 has states it cannot leave by `start` ("gone" above, or "stopping"
    # left by a stop whose processes had already ended): only removal clears them.
    stuck = status not in ("absent", "running", "created", "configured", "exited")
    replaced = status != "absent" and (stuck or had != digest)
    if replaced:
        remove(name)
        status = "absent"
    elif status == "running":
        return "running"
    if status == "absent":
        label_args = [a for k, v in {**labels, FILES_LABEL: digest}.items() for a in ("--label", f"{k}={v}")]
        podman.podman(
            "create", "--name", name, "--hostname", host, "--network", cfg.network, "--ip", address, "--dns", dns,
            "--systemd", "always", "--label", f"wardlab.instance={cfg.name}", *label_args,
            *[a for cap in CAPS for a in ("--cap-add", cap)],
            # Writable /proc/sys so net.* sysctls (per network namespace) can be hardened as on a real PC.
            "--security-opt", "unmask=/proc/sys",
            cfg.image,
        )  # fmt: skip
        # Keys and per-host files go in before first boot, so sshd never starts with anything else.
        podman.podman("cp", "-", f"{name}:/", stdin=_tar(files))
    podman.podman("start", name)
    return "replaced" if replaced else "started" if status == "absent" else "restarted"


def wait_ssh(addresses: list[str], timeout: float = 60.0) -> None:
    """Wait until every host's sshd sends its banner."""
    deadline = time.monotonic() + timeout
    pending = list(addresses)
    while pending and time.monotonic() < deadline:
        pending = [a for a in pending if not _ssh_banner(a)]
        if pending:
            time.sleep(0.2)
    if pending:
        raise WardctlError(
            f"lab host {pending[0]}: sshd did not answer within {timeout:.0f} s (see `wardctl lab status`; "
            "`wardctl lab down` then `up` starts afresh)"
        )


def _ssh_banner(address: str) -> bool:
    try:
        with socket.create_connection((address, 22), timeout=1) as sock:
            return sock.recv(8).startswith(b"SSH-")
    except OSError:
        return False


REMOVE_ATTEMPTS = 3


def remove(*names: str) -> None:
    # A container whose processes ended behind podman's back can sit in "stopped" with no exit file, and
    # `rm --force` then waits for that file and fails: `container cleanup` settles it first (it refuses,
    # harmlessly, a container that really runs). One that exits on its own while rm is stopping it fails rm
    # with "could not be stopped: sending SIGKILL ...: container state improper: stopped" (podman 4.3; seen in
    # CI, and reproduced with `sh -c 'sleep 2.05'` against `rm --force --time 2`); it is removable a moment later.
    for attempt in range(1, REMOVE_ATTEMPTS + 1):
        podman.podman("container", "cleanup", *names, check=False, timeout=120)
        try:
            podman.podman("rm", "--force", "--ignore", "--time", "2", *names, timeout=120)
            return
        except WardctlError:
            if attempt == REMOVE_ATTEMPTS:
                raise
            time.sleep(1)


def remove_all(cfg: LabConfig) -> list[str]:
    names = podman.podman(
        "ps", "-a", "--filter", f"label=wardlab.instance={cfg.name}", "--format", "{{.Names}}"
    ).split()
    if names:
        remove(*names)
    if podman.exists("network", cfg.network):
        podman.podman("network", "rm", "--force", cfg.network)
    return names


def host_files(key_dir: Path, authorized_key: str, extra: list[HostFile]) -> list[HostFile]:
    key = key_dir / "ssh_host_ed25519_key"
    return [
        HostFile("/etc/ssh/ssh_host_ed25519_key", key.read_bytes(), 0o600),
        HostFile("/etc/ssh/ssh_host_ed25519_key.pub", key.with_suffix(".pub").read_bytes()),
        # podman cp makes every file root's; sshd accepts a root-owned authorized_keys readable by its user.
        HostFile("/home/wardadmin/.ssh/authorized_keys", (authorized_key + "\n").encode(), 0o644),
        *extra,
    ]
