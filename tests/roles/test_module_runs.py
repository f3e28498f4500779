"""The pieces that save endpoint_hardening module runs, without a lab: the one package transaction's areas,
the apt lines that tell which areas it installed, the packages dpkg lacks (apt runs only for them), the units
still to mask/disable, and settings_file's edit (the same lines one lineinfile per key would leave). Over the
lab, molecule's idempotence covers them."""

from __future__ import annotations

import re
import subprocess

import pytest
from support import ROOT, load_module

hardening = load_module(
    "endpoint_hardening_filters_runs", ROOT / "roles/endpoint_hardening/filter_plugins/endpoint_hardening.py"
)
packages = load_module(
    "wardkit_filter_packages", ROOT / "collections/ansible_collections/wardkit/core/plugins/filter/packages.py"
)
settings_file = load_module(
    "wardkit_settings_file", ROOT / "collections/ansible_collections/wardkit/core/plugins/modules/settings_file.py"
)
PACKAGES = {"ssh": ["openssh-server"], "time": ["chrony"], "audit": ["auditd"], "pam": ["libpam-pwquality"]}
AREAS = ["ssh", "time", "audit", "sysctl", "pam"]


def test_batch_holds_the_running_areas_packages_only():
    batch = hardening.endpoint_hardening_package_batch(
        PACKAGES, AREAS, [True, "false", True, True, "yes"], ["all"], [], ["audit"]
    )
    # time is switched off, audit installs its own (drop-in first), sysctl has no package
    assert batch == {"ssh": ["openssh-server"], "pam": ["libpam-pwquality"]}


@pytest.mark.parametrize(
    ("run", "skip", "areas"),
    [
        (["endpoint_hardening_time"], [], {"time"}),
        (["endpoint_hardening"], ["endpoint_hardening_ssh"], {"time", "pam"}),
        (["conference_client"], [], set()),
    ],
)
def test_batch_follows_tags(run, skip, areas):
    batch = hardening.endpoint_hardening_package_batch(PACKAGES, AREAS, [True] * 5, run, skip, ["audit"])
    assert set(batch) == areas


def test_batch_refuses_mismatched_switches():
    with pytest.raises(Exception, match="5 areas, 4 switches"):
        hardening.endpoint_hardening_package_batch(PACKAGES, AREAS, [True] * 4)


def test_installed_areas_from_apt_output_real_and_simulated():
    batch = {"ssh": ["openssh-server"], "time": ["chrony"], "pam": ["libpam-pwquality", "libpam-modules"]}
    real = "Unpacking chrony (4.3-2+deb12u1) ...\nSetting up libpam-pwquality:amd64 (1.4.5-1+b1) ...\n"
    # "Unpacking" alone is not installed: only "Setting up" (or apt-get -s's "Inst") counts
    assert hardening.endpoint_hardening_installed_areas(batch, real) == ["pam"]
    simulated = "Inst openssh-server [1:9.2p1-2] (1:9.2p1-2+deb12u3 Debian-Security:12/stable-security [amd64])\n"
    assert hardening.endpoint_hardening_installed_areas(batch, simulated) == ["ssh"]
    assert hardening.endpoint_hardening_installed_areas(batch, "") == []
    # a name that only starts like an area's package is not it
    assert hardening.endpoint_hardening_installed_areas(batch, "Setting up chrony-extra (1) ...\n") == []


def test_package_failures_name_each_failed_area_with_its_reason():
    results = [
        {"item": {"key": "ssh", "value": ["openssh-server"]}, "changed": False},
        {
            "item": {"key": "time", "value": ["chrony", "x"]},
            "failed": True,
            "msg": "No package matching 'x'\n is available",
        },
        {"item": {"key": "pam", "value": ["libpam-pwquality"]}, "failed": True},
    ]
    assert hardening.endpoint_hardening_package_failures(results) == {
        "time": "its packages: No package matching 'x' is available",
        "pam": "its packages: failed",
    }


SHOW = """LoadState=masked
ActiveState=inactive
UnitFileState=masked

LoadState=loaded
ActiveState=inactive
UnitFileState=static

LoadState=not-found
ActiveState=inactive
UnitFileState=

LoadState=masked
ActiveState=active
UnitFileState=masked

LoadState=loaded
ActiveState=inactive
UnitFileState=disabled
"""
UNITS = ["debug-shell.service", "ctrl-alt-del.target", "rsync.service", "avahi-daemon.service", "cups.service"]


def test_units_to_mask_are_the_present_ones_not_yet_masked_or_still_running():
    got = hardening.endpoint_hardening_units_to_change(SHOW, UNITS, "masked")
    # by position: ctrl-alt-del.target shows as its alias target; a masked but running unit still gets stopped
    assert got == ["ctrl-alt-del.target", "avahi-daemon.service", "cups.service"]


def test_units_to_disable_skip_disabled_and_masked_ones():
    got = hardening.endpoint_hardening_units_to_change(SHOW, UNITS, "disabled")
    assert got == ["ctrl-alt-del.target", "avahi-daemon.service"]


def test_units_answer_count_must_match():
    with pytest.raises(Exception, match="answered for 5 units, asked for 4"):
        hardening.endpoint_hardening_units_to_change(SHOW, UNITS[:4], "masked")


LOGIN_DEFS = """# comment
#PASS_MAX_DAYS\t99999
PASS_MAX_DAYS\t99999
PASS_MAX_DAYSX\t1
UMASK\t\t022
"""


def _lineinfile(lines: list[str], key: str, value: str, regexp: str) -> list[str]:
    """ansible.builtin.lineinfile's rule for regexp + line: the last matching line is replaced, else appended."""
    hits = [i for i, line in enumerate(lines) if re.search(regexp, line)]
    out = list(lines)
    if hits:
        out[hits[-1]] = f"{key}{value}"
    else:
        out.append(f"{key}{value}")
    return out


def test_settings_file_leaves_what_one_lineinfile_per_key_leaves():
    settings = {"PASS_MAX_DAYS": "365", "UMASK": "027", "ENCRYPT_METHOD": "SHA512", "PASS_MAX_DAYSX": "1"}
    got, changed = settings_file.apply(LOGIN_DEFS.splitlines(), settings, "\t", True)
    want = LOGIN_DEFS.splitlines()
    for key, value in settings.items():
        want = _lineinfile(want, key, "\t" + value, rf"^#?\s*{key}\s")
    assert got == want
    assert changed == ["PASS_MAX_DAYS", "UMASK", "ENCRYPT_METHOD"]  # PASS_MAX_DAYSX already right
    again, changed_again = settings_file.apply(got, settings, "\t", True)
    assert again == got and changed_again == []


def test_settings_file_with_equals_separator_keeps_longer_keys_apart():
    conf = ["max_log_file = 8", "max_log_file_action = SUSPEND", "#num_logs = 5"]
    got, changed = settings_file.apply(conf, {"max_log_file": "20", "num_logs": "10"}, " = ", False)
    assert got == ["max_log_file = 20", "max_log_file_action = SUSPEND", "#num_logs = 5", "num_logs = 10"]
    assert changed == ["max_log_file", "num_logs"]


def test_dpkg_missing_reads_the_real_dpkg_query():
    """This machine's own dpkg (Debian, like the endpoints), asked the way the roles ask."""
    names = ["dpkg", "wardkit-no-such-package", "coreutils"]
    proc = subprocess.run(["dpkg-query", "--show", "--showformat=${Package} ${db:Status-Status}\n", *names],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 1  # the unknown one: the roles' tasks accept 0 and 1
    assert packages.dpkg_missing(names, proc.stdout) == ["wardkit-no-such-package"]


def test_dpkg_missing_counts_only_the_installed_state():
    # removed but not purged, half-configured, unpacked: not installed, so apt must run
    out = "aide config-files\nauditd half-configured\nchrony unpacked\nrsyslog installed\n"
    assert packages.dpkg_missing(["aide", "auditd", "chrony", "rsyslog", "nftables"], out) == [
        "aide", "auditd", "chrony", "nftables"]  # fmt: skip
    assert packages.dpkg_missing(["rsyslog"], "") == ["rsyslog"]  # nothing read: everything is missing
