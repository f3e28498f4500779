#!/usr/bin/python
"""What a Linux meeting-room PC has: camera (V4L2), microphone and speaker (ALSA, PipeWire), display (DRM).

Evidence is what the machine itself can use: device nodes in /dev first (a container or a PC without the driver
has sysfs entries it cannot open), sysfs and /proc for names. Read-only; every path is under `root` so tests can
point it at a fake tree.
"""

from __future__ import annotations

DOCUMENTATION = r"""
module: room_probe
short_description: Detect the meeting room's camera, microphone, speaker and display on Linux
description:
  - C(camera) is a V4L2 character device (/dev/video*, major 81) able to capture; when it can be opened, the
    VIDIOC_QUERYCAP ioctl must report a capture capability, otherwise sysfs' index 0 (not a metadata node) counts.
  - C(microphone) and C(speaker) are ALSA PCM nodes (/dev/snd/pcmC*D*c for capture, C(p) for playback, major 116)
    of a card not in O(ignore_cards), or PipeWire Audio/Source and Audio/Sink nodes of a running user session.
  - C(display) is a DRM connector (/sys/class/drm/card*-*/status) reporting C(connected) whose card node exists in
    /dev/dri; on a machine without DRM connectors at all, a running X11 or Wayland session counts.
  - Changes nothing; C(changed) is always false.
options:
  checks:
    description: Items to detect.
    type: list
    elements: str
    choices: [camera, microphone, speaker, display]
    default: [camera, microphone, speaker, display]
  ignore_cards:
    description: ALSA card ids or driver names that are not real devices (loopback, dummy).
    type: list
    elements: str
    default: [Loopback, Dummy]
  root:
    description: Root of the tree to inspect (tests only).
    type: path
    default: /
author: wardkit
"""

RETURN = r"""
items:
  description: Per checked item, C(present) (bool) and C(devices) (what was found, with the evidence).
  returned: always
  type: dict
"""

import fcntl
import glob
import json
import os
import re
import stat
import struct
import subprocess
from pathlib import Path
from typing import Any

from ansible.module_utils.basic import AnsibleModule

ITEMS = ("camera", "microphone", "speaker", "display")
V4L2_MAJOR, ALSA_MAJOR, DRM_MAJOR = 81, 116, 226
VIDIOC_QUERYCAP = 0x80685600  # _IOR('V', 0, struct v4l2_capability), 104 bytes
CAP_VIDEO_CAPTURE, CAP_VIDEO_CAPTURE_MPLANE, CAP_DEVICE_CAPS = 0x1, 0x1000, 0x80000000
_PCM = re.compile(r"pcmC(\d+)D(\d+)([cp])$")
_CARD = re.compile(r"^\s*(\d+)\s+\[(\S+)\s*\]:\s*(\S+)\s+-\s+(.*)$")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return None


def _char_major(path: Path) -> tuple[int, int] | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    if not stat.S_ISCHR(st.st_mode):
        return None
    return os.major(st.st_rdev), os.minor(st.st_rdev)


def query_capture(node: Path) -> bool | None:
    """True/False when the node answers VIDIOC_QUERYCAP; None when it cannot be opened or asked."""
    try:
        fd = os.open(node, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        buf = fcntl.ioctl(fd, VIDIOC_QUERYCAP, bytes(104))
    except OSError:
        return None
    finally:
        os.close(fd)
    caps, device_caps = struct.unpack_from("=II", buf, 84)
    used = device_caps if caps & CAP_DEVICE_CAPS else caps
    return bool(used & (CAP_VIDEO_CAPTURE | CAP_VIDEO_CAPTURE_MPLANE))


def cameras(root: Path, probe: bool) -> list[dict[str, Any]]:
    found = []
    for node in sorted((root / "dev").glob("video*")):
        dev = _char_major(node)
        if dev is None or dev[0] != V4L2_MAJOR:
            continue
        sys_dir = root / "sys/class/video4linux" / node.name
        same = _read(sys_dir / "dev") == f"{dev[0]}:{dev[1]}"  # sysfs may be the host's (container): match it
        name = _read(sys_dir / "name") if same else None
        capture = query_capture(node) if probe else None
        if capture is False:
            continue  # answers, but cannot capture (a UVC metadata node, a codec)
        if capture is None and same and _read(sys_dir / "index") not in (None, "0"):
            continue  # a second node of the same device: UVC puts its metadata there
        found.append({"node": str(node.relative_to(root)), "name": name, "verified": capture is True})
    return found


def alsa_cards(root: Path) -> dict[int, dict[str, str]]:
    """Card number -> {id, driver, name} from /proc/asound/cards (absent in most containers)."""
    cards = {}
    for line in (_read(root / "proc/asound/cards") or "").splitlines():
        match = _CARD.match(line)
        if match:
            cards[int(match.group(1))] = {"id": match.group(2), "driver": match.group(3), "name": match.group(4)}
    return cards


def alsa_pcms(root: Path, ignore: list[str]) -> dict[str, list[dict[str, Any]]]:
    cards = alsa_cards(root)
    out: dict[str, list[dict[str, Any]]] = {"microphone": [], "speaker": []}
    for node in sorted((root / "dev/snd").glob("pcmC*D*")):
        match = _PCM.search(node.name)
        dev = _char_major(node)
        if not match or dev is None or dev[0] != ALSA_MAJOR:
            continue
        card = cards.get(int(match.group(1)), {})
        if card and (card["id"] in ignore or card["driver"] in ignore):
            continue
        info = _read(root / f"proc/asound/card{match.group(1)}/pcm{match.group(2)}{match.group(3)}/info") or ""
        pcm_name = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("name:")), None)
        item = "microphone" if match.group(3) == "c" else "speaker"
        out[item].append({"node": str(node.relative_to(root)), "name": pcm_name or card.get("name"), "via": "alsa"})
    return out


def parse_pw_dump(text: str) -> dict[str, list[dict[str, Any]]]:
    """PipeWire's own view (`pw-dump` JSON): Audio/Source nodes are microphones, Audio/Sink nodes speakers.
    Virtual nodes (monitors, null sinks) have other media classes and are left out."""
    out: dict[str, list[dict[str, Any]]] = {"microphone": [], "speaker": []}
    try:
        objects = json.loads(text or "[]")
    except ValueError:
        return out
    for obj in objects if isinstance(objects, list) else []:
        props = ((obj or {}).get("info") or {}).get("props") or {}
        if obj.get("type") != "PipeWire:Interface:Node" or props.get("node.virtual"):
            continue
        item = {"Audio/Source": "microphone", "Audio/Sink": "speaker"}.get(props.get("media.class", ""))
        if item:
            name = props.get("node.description") or props.get("node.name")
            out[item].append({"node": props.get("node.name"), "name": name, "via": "pipewire"})
    return out


def pipewire(root: Path) -> dict[str, list[dict[str, Any]]]:
    """Ask each running PipeWire session (its socket under /run/user/<uid>) when pw-dump is installed."""
    out: dict[str, list[dict[str, Any]]] = {"microphone": [], "speaker": []}
    if str(root) != "/" or not any(os.access(os.path.join(d, "pw-dump"), os.X_OK) for d in os.get_exec_path()):
        return out
    for sock in sorted(glob.glob("/run/user/*/pipewire-0")):
        env = {**os.environ, "XDG_RUNTIME_DIR": os.path.dirname(sock)}
        try:
            proc = subprocess.run(["pw-dump"], capture_output=True, text=True, timeout=10, env=env, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        for item, found in parse_pw_dump(proc.stdout).items():
            out[item] += found
    return out


def displays(root: Path) -> list[dict[str, Any]]:
    found = []
    statuses = sorted((root / "sys/class/drm").glob("card*-*/status"))
    for status in statuses:
        connector = status.parent.name  # card0-HDMI-A-1
        card = connector.split("-", 1)[0]
        node = _char_major(root / "dev/dri" / card)
        if _read(status) == "connected" and node is not None and node[0] == DRM_MAJOR:
            found.append({"node": f"dev/dri/{card}", "name": connector.split("-", 1)[1], "via": "drm"})
    if not statuses:  # no DRM connectors to ask (no KMS driver): a running graphical session is the evidence
        x11, wayland = glob.glob(str(root / "tmp/.X11-unix/X*")), glob.glob(str(root / "run/user/*/wayland-[0-9]"))
        sessions = sorted(x11) + sorted(wayland)
        found += [{"node": str(Path(s).relative_to(root)), "name": None, "via": "session"} for s in sessions]
    return found


def detect(root: Path, checks: list[str], ignore: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, list[dict[str, Any]]] = {}
    if "camera" in checks:
        found["camera"] = cameras(root, probe=str(root) == "/")
    if "microphone" in checks or "speaker" in checks:
        audio, pw = alsa_pcms(root, ignore), pipewire(root)
        for item in ("microphone", "speaker"):
            if item in checks:
                found[item] = audio[item] + pw[item]
    if "display" in checks:
        found["display"] = displays(root)
    return {item: {"present": bool(devices), "devices": devices} for item, devices in found.items()}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "checks": {"type": "list", "elements": "str", "default": list(ITEMS), "choices": list(ITEMS)},
            "ignore_cards": {"type": "list", "elements": "str", "default": ["Loopback", "Dummy"]},
            "root": {"type": "path", "default": "/"},
        },
        supports_check_mode=True,
    )
    items = detect(Path(module.params["root"]), module.params["checks"], module.params["ignore_cards"])
    module.exit_json(changed=False, items=items)


if __name__ == "__main__":
    main()
