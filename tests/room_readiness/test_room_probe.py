"""Room readiness detection on fake Linux trees (device nodes, sysfs, procfs), the report and the procurement CSV.

Device nodes are plain files here and their (major, minor) come from a table: making real character devices needs
CAP_MKNOD, which the lab test (tests/line_check/test_verify_lab.py) has inside a container.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from support import ROOT, load_module

ROLE = ROOT / "roles" / "room_readiness"
FIXTURES = Path(__file__).parent / "fixtures"


probe = load_module("room_probe", ROLE / "library" / "room_probe.py")
filters = load_module("room_readiness_filters", ROLE / "filter_plugins" / "room_readiness.py")
ALL = ["camera", "microphone", "speaker", "display"]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A fake root; `node(path, major, minor)` adds a device node."""
    nodes: dict[str, tuple[int, int]] = {}

    def node(rel: str, major: int, minor: int) -> None:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        nodes[str(path)] = (major, minor)

    def write(rel: str, text: str) -> None:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    monkeypatch.setattr(probe, "_char_major", lambda p: nodes.get(str(p)))
    return tmp_path, node, write


def test_an_empty_machine_has_nothing(tree):
    root, _, _ = tree
    got = probe.detect(root, ALL, ["Loopback"])
    assert {k: v["present"] for k, v in got.items()} == dict.fromkeys(ALL, False)


def test_a_real_pc_with_a_uvc_camera_usb_speakerphone_and_hdmi_tv(tree):
    root, node, write = tree
    # UVC: video0 captures, video1 is its metadata node (index 1).
    node("dev/video0", 81, 0)
    node("dev/video1", 81, 1)
    write("sys/class/video4linux/video0/dev", "81:0\n")
    write("sys/class/video4linux/video0/name", "HD Pro Webcam C920\n")
    write("sys/class/video4linux/video0/index", "0\n")
    write("sys/class/video4linux/video1/dev", "81:1\n")
    write("sys/class/video4linux/video1/index", "1\n")
    # ALSA: card 0 HDMI (playback only), card 1 the speakerphone, card 2 a loopback to ignore.
    write("proc/asound/cards", " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n"
          "                      HDA Intel PCH at 0xf7f10000 irq 32\n"
          " 1 [USB            ]: USB-Audio - Jabra SPEAK 510 USB\n"
          "                      Jabra SPEAK 510 USB at usb-0000:00:14.0-2, full speed\n"
          " 2 [Loopback       ]: Loopback - Loopback\n"
          "                      Loopback 1\n")  # fmt: skip
    node("dev/snd/pcmC0D3p", 116, 3)
    node("dev/snd/pcmC1D0c", 116, 24)
    node("dev/snd/pcmC1D0p", 116, 16)
    node("dev/snd/pcmC2D0c", 116, 40)
    node("dev/snd/controlC1", 116, 11)
    write("proc/asound/card1/pcm0c/info", "card: 1\ndevice: 0\nid: USB Audio\nname: USB Audio\n")
    # DRM: HDMI connected, DisplayPort not.
    node("dev/dri/card0", 226, 0)
    write("sys/class/drm/card0-HDMI-A-1/status", "connected\n")
    write("sys/class/drm/card0-DP-1/status", "disconnected\n")
    got = probe.detect(root, ALL, ["Loopback", "Dummy"])
    assert {k: v["present"] for k, v in got.items()} == dict.fromkeys(ALL, True)
    assert got["camera"]["devices"] == [{"node": "dev/video0", "name": "HD Pro Webcam C920", "verified": False}]
    assert [d["node"] for d in got["microphone"]["devices"]] == ["dev/snd/pcmC1D0c"]  # not the loopback
    assert got["microphone"]["devices"][0]["name"] == "USB Audio"
    assert [d["node"] for d in got["speaker"]["devices"]] == ["dev/snd/pcmC0D3p", "dev/snd/pcmC1D0p"]
    assert got["display"]["devices"] == [{"node": "dev/dri/card0", "name": "HDMI-A-1", "via": "drm"}]


def test_a_container_with_device_nodes_but_the_hosts_sysfs(tree):
    """Nodes made with mknod in a container count; sysfs entries of other devices (the host's) do not name them."""
    root, node, write = tree
    node("dev/video0", 81, 0)
    write("sys/class/video4linux/video0/dev", "81:4\n")  # the host's own video0 is another device
    write("sys/class/video4linux/video0/index", "1\n")
    node("dev/snd/pcmC0D0c", 116, 24)
    write("sys/class/drm/card0-HDMI-A-1/status", "connected\n")  # the host's screen: no /dev/dri here
    got = probe.detect(root, ALL, [])
    assert got["camera"]["present"] and got["camera"]["devices"][0]["name"] is None
    assert got["microphone"]["present"] and not got["speaker"]["present"]
    assert not got["display"]["present"]


def test_nodes_of_the_wrong_kind_are_not_devices(tree):
    root, node, _ = tree
    node("dev/video0", 1, 3)  # not V4L2's major
    (root / "dev/snd").mkdir(parents=True)
    (root / "dev/snd/pcmC0D0c").touch()  # a plain file
    got = probe.detect(root, ["camera", "microphone"], [])
    assert not got["camera"]["present"] and not got["microphone"]["present"]


def test_without_drm_a_graphical_session_counts_as_a_display(tree):
    root, _, write = tree
    write("tmp/.X11-unix/X0", "")
    assert probe.detect(root, ["display"], [])["display"]["devices"][0]["via"] == "session"


def test_pipewire_sources_and_sinks_from_pw_dump():
    got = probe.parse_pw_dump((FIXTURES / "pw-dump.json").read_text())
    assert [d["name"] for d in got["microphone"]] == ["Jabra SPEAK 510 USB Mono"]
    assert [d["name"] for d in got["speaker"]] == ["Jabra SPEAK 510 USB Analog Stereo"]  # not the virtual null sink
    assert probe.parse_pw_dump("not json") == {"microphone": [], "speaker": []}


def test_only_the_checked_items_are_reported(tree):
    root, _, _ = tree
    assert set(probe.detect(root, ["camera"], [])) == {"camera"}


# --- report and procurement CSV ------------------------------------------------------------------------------------
NAMES = {"camera": "Conference camera", "microphone": "Microphone", "speaker": "Speakers", "display": "Display"}


def test_report_lists_what_is_missing_and_what_to_buy():
    items = {"camera": {"present": False, "devices": []}, "microphone": {"present": True, "devices": [{"node": "x"}]},
             "speaker": {"present": True, "devices": []}, "display": {"present": False, "devices": []}}  # fmt: skip
    rep = filters.room_readiness_report(items, {"ward": "long_son", "host": "long_son-room"}, NAMES)
    states = tuple(rep[i] for i in ALL)
    assert states == ("missing", "present", "present", "missing")
    assert rep["missing"] == ["camera", "display"] and rep["procurement"] == ["Conference camera", "Display"]
    assert rep["devices"]["microphone"] == [{"node": "x"}]


def test_procurement_csv_for_the_finance_office():
    long_son = {"ward": "long_son", "ward_display_name": "Xã Long Sơn", "host": "long_son-room"}
    phuong_1 = {"ward": "phuong_1", "ward_display_name": "Phường 1", "host": "phuong_1-room"}
    reps = [
        filters.room_readiness_report({"camera": {"present": False}}, long_son, NAMES),
        filters.room_readiness_report({"camera": {"present": True}}, phuong_1, NAMES),
    ]
    text = filters.room_readiness_csv(reps, ["phuong_1", "long_son"])
    assert text.encode().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(r["ward_display_name"], r["camera"], r["missing"], r["procurement"]) for r in rows] == [
        ("Phường 1", "present", "", ""), ("Xã Long Sơn", "missing", "camera", "Conference camera")]  # fmt: skip
    assert rows[0]["display"] == ""  # not checked
