"""The IOS commands the simulator knows, per mode: what a ward router needs, and the usual basics.

Anything not listed is rejected the way IOS rejects it (caret, incomplete, ambiguous).
"""

from __future__ import annotations

from wardsim.ios.parse import Cmd

LEVELS = "<0-7>|emergencies|alerts|critical|errors|warnings|notifications|informational|debugging"

# Prompt suffix per config mode.
MODE_PROMPTS = {
    "config": "(config)",
    "if": "(config-if)",
    "cmap": "(config-cmap)",
    "pmap": "(config-pmap)",
    "pmapc": "(config-pmap-c)",
    "line": "(config-line)",
    "ext-nacl": "(config-ext-nacl)",
    "std-nacl": "(config-std-nacl)",
    "archive": "(config-archive)",
}

# Valid in every config mode.
COMMON = [
    Cmd("exit", act="exit"),
    Cmd("end", act="end"),
    Cmd("do LINE", act="do"),
    Cmd("no LINE", act="no"),
    Cmd("default LINE", act="default"),
]

GLOBAL = [
    Cmd("hostname WORD", key=1),
    Cmd("ip domain name WORD", key=3),
    Cmd("ip domain-name WORD", key=3, family="ip domain name WORD", act="domain-name"),
    Cmd("ip domain lookup", key=3, default_on=True, act="implicit"),
    Cmd("ip name-server @iplist"),
    Cmd("ip http server", key=3, default_on=True),
    Cmd("ip http secure-server", key=3, default_on=True),
    Cmd("ip http authentication local", key=3),
    Cmd("ip ssh version 1|2", key=3),
    Cmd("ip ssh time-out <1-120>", key=3),
    Cmd("ip ssh authentication-retries <0-5>", key=3),
    Cmd("ip ssh source-interface IFNAME", key=3),
    Cmd("ip source-route", key=2, default_on=True, act="implicit"),
    Cmd("ip bootp server", key=3, default_on=True, act="implicit"),
    Cmd("ip route A.B.C.D A.B.C.D WORD [<1-255>]"),
    Cmd("ip access-list standard WORD", mode="std-nacl", keyfn="acl", family="ip access-list"),
    Cmd("ip access-list extended WORD", mode="ext-nacl", keyfn="acl", family="ip access-list"),
    Cmd("access-list <1-99> @std_entry", act="numbered-acl", family="access-list"),
    Cmd("access-list <100-199> @ext_entry", act="numbered-acl", family="access-list"),
    Cmd("access-list <1300-1999> @std_entry", act="numbered-acl", family="access-list"),
    Cmd("access-list <2000-2699> @ext_entry", act="numbered-acl", family="access-list"),
    Cmd("ntp server A.B.C.D|WORD [prefer]", key=3),
    Cmd("ntp source IFNAME", key=2),
    Cmd("logging host A.B.C.D", key=3),
    Cmd(f"logging trap {LEVELS}", key=2),
    Cmd(f"logging buffered [<4096-2147483647>] [{LEVELS}]", key=2),
    Cmd("logging source-interface IFNAME", key=2),
    Cmd("service password-encryption", key=2),
    Cmd("service timestamps debug|log datetime|uptime [msec] [localtime] [show-timezone]", key=3),
    Cmd("service tcp-small-servers", key=2),
    Cmd("service udp-small-servers", key=2),
    Cmd("service tcp-keepalives-in", key=2),
    Cmd("service tcp-keepalives-out", key=2),
    Cmd("service pad", key=2, default_on=True, act="implicit"),
    Cmd("cdp run", key=2, default_on=True, act="implicit"),
    Cmd("username WORD [privilege <0-15>] secret [0|5|8|9] WORD", key=2, family="username", act="secret"),
    Cmd("username WORD [privilege <0-15>] password [0|7] WORD", key=2, family="username", act="password"),
    Cmd("enable secret [0|5|8|9] WORD", key=2, act="secret"),
    Cmd("banner motd|login|exec LINE", key=2, act="banner"),
    Cmd("class-map [match-any|match-all] WORD", mode="cmap", keyfn="last"),
    Cmd("policy-map WORD", mode="pmap", key=2),
    Cmd("interface IFNAME", mode="if", key=2, act="interface"),
    Cmd("line vty <0-15> [<0-15>]", mode="line", act="vty"),
    Cmd("line con 0", mode="line"),
    Cmd("archive", mode="archive", key=1),
    Cmd("snmp-server community WORD [RO|RW] [WORD]", key=3),
    Cmd("snmp-server location LINE", key=2),
    Cmd("snmp-server contact LINE", key=2),
    Cmd(
        "snmp-server group WORD v3 auth|noauth|priv [read WORD] [write WORD] [notify WORD] [access WORD]",
        key=5,
    ),
    Cmd("snmp-server view WORD WORD included|excluded", key=4),
    Cmd("snmp-server host A.B.C.D version 3 auth|noauth|priv WORD", key=3),
    Cmd("snmp-server host A.B.C.D version 2c WORD", key=3),
    Cmd("snmp-server user WORD WORD v3 [access WORD]", act="snmp-user"),
    Cmd("snmp-server user WORD WORD v3 auth md5|sha WORD [access WORD]", act="snmp-user"),
    Cmd("snmp-server user WORD WORD v3 auth md5|sha WORD priv des|3des WORD [access WORD]", act="snmp-user"),
    Cmd(
        "snmp-server user WORD WORD v3 auth md5|sha WORD priv aes 128|192|256 WORD [access WORD]",
        act="snmp-user",
    ),
    Cmd("snmp-server enable traps [LINE]"),
    Cmd("snmp-server trap-source IFNAME", key=2),
    Cmd("snmp-server ifindex persist", key=3),
    Cmd("clock timezone WORD <-23-23> [<0-59>]", key=2),
    Cmd("clock summer-time LINE", key=2),
    Cmd("file prompt [alert|noisy|quiet]", key=2),
    Cmd("aaa new-model", key=2),
    # Lines IOS prints in every config; replaying a saved file must accept them.
    Cmd("version LINE", act="noop"),
    Cmd("boot-start-marker", act="noop"),
    Cmd("boot-end-marker", act="noop"),
    Cmd("license udi LINE", act="noop"),
]

INTERFACE = [
    Cmd("description LINE", key=1),
    Cmd("ip address A.B.C.D A.B.C.D", key=2, family="ip address"),
    Cmd("ip address dhcp", key=2, family="ip address"),
    Cmd("ip access-group WORD in|out", keyfn="dir"),
    Cmd("ip nat inside|outside", key=2),
    Cmd("ip mtu <68-9198>", key=2),
    Cmd("ip tcp adjust-mss <500-1460>", key=3),
    Cmd("ip helper-address A.B.C.D"),
    Cmd("ip redirects", key=2, default_on=True, act="implicit"),
    Cmd("ip unreachables", key=2, default_on=True, act="implicit"),
    Cmd("ip proxy-arp", key=2, default_on=True, act="implicit"),
    Cmd("cdp enable", key=2, default_on=True, act="implicit"),
    Cmd("bandwidth <1-100000000>", key=1),
    Cmd("service-policy input|output WORD", key=2),
    Cmd("shutdown", key=1),
    Cmd("negotiation auto", key=1),
    Cmd("load-interval <30-600>", key=1),
    Cmd("mtu <64-9216>", key=1),
    Cmd("speed 10|100|1000|auto", key=1),
    Cmd("duplex auto|full|half", key=1),
    Cmd("encapsulation dot1Q <1-4094> [native]", key=1),
]

CLASS_MAP = [
    Cmd("match dscp @dscp", act="match-dscp"),
    Cmd("match access-group name WORD"),
    Cmd("match access-group <1-2799>"),
    Cmd("match protocol WORD"),
    Cmd("match any"),
    Cmd("description LINE", key=1),
]

POLICY_MAP = [
    Cmd("class WORD", mode="pmapc", key=2),
    Cmd("description LINE", key=1),
]

POLICY_CLASS = [
    Cmd("priority percent <1-100>", key=1, family="priority"),
    Cmd("priority level <1-2> [percent <1-100>]", key=1, family="priority"),
    Cmd("priority <8-20000000> [<32-2000000>]", key=1, family="priority"),
    Cmd("bandwidth percent <1-100>", key=1, family="bandwidth"),
    Cmd("bandwidth remaining percent|ratio <1-100>", key=1, family="bandwidth"),
    Cmd("bandwidth <8-100000000>", key=1, family="bandwidth"),
    Cmd("shape average <8000-100000000000> [<32-800000000>]", key=1, family="shape"),
    Cmd("shape average percent <1-100>", key=1, family="shape"),
    Cmd("service-policy WORD", key=1),
    Cmd("fair-queue", key=1),
    Cmd("queue-limit <1-32768> [packets]", key=1),
    Cmd("set dscp @dscp1", key=2),
    Cmd("police LINE", key=1),
    Cmd("random-detect [dscp-based]", key=1),
]

LINE = [
    Cmd("access-class WORD in|out [vrf-also]", keyfn="dir"),
    Cmd("transport input ssh|telnet|all|none [ssh|telnet]", key=2),
    Cmd("transport output ssh|telnet|all|none", key=2),
    Cmd("transport preferred none|ssh|telnet", key=2),
    Cmd("login [local]", key=1),
    Cmd("exec-timeout <0-35791> [<0-2147483>]", key=1),
    Cmd("session-timeout <0-35791>", key=1),
    Cmd("logging synchronous", key=2),
    Cmd("privilege level <0-15>", key=2),
    Cmd("password [0|7] WORD", key=1, act="password"),
    Cmd("stopbits 1|2", key=1),
]

STD_ACL = [
    Cmd("<1-2147483647> permit|deny @ace_std", act="ace"),
    Cmd("permit|deny @ace_std", act="ace"),
    Cmd("remark LINE", act="ace"),
]

EXT_ACL = [
    Cmd("<1-2147483647> permit|deny @ace_ext", act="ace"),
    Cmd("permit|deny @ace_ext", act="ace"),
    Cmd("remark LINE", act="ace"),
]

ARCHIVE = [
    Cmd("path WORD", key=1),
    Cmd("maximum <1-14>", key=1),
    Cmd("write-memory", key=1),
    Cmd("time-period <1-525600>", key=1),
]

CONFIG_MODES: dict[str, list[Cmd]] = {
    "config": GLOBAL + COMMON,
    "if": INTERFACE + COMMON,
    "cmap": CLASS_MAP + COMMON,
    "pmap": POLICY_MAP + COMMON,
    "pmapc": POLICY_CLASS + COMMON,
    "line": LINE + COMMON,
    "std-nacl": STD_ACL + COMMON,
    "ext-nacl": EXT_ACL + COMMON,
    "archive": ARCHIVE + COMMON,
}

EXEC_USER = [
    Cmd("enable", act="enable"),
    Cmd("exit", act="logout"),
    Cmd("logout", act="logout"),
    Cmd("quit", act="logout"),
    Cmd("terminal length <0-512>", act="noop"),
    Cmd("terminal width <0-512>", act="noop"),
    Cmd("terminal monitor", act="noop"),
    Cmd("show version", act="show-version"),
    Cmd("show clock", act="show-clock"),
    Cmd("show users", act="show-users"),
    Cmd("show privilege", act="show-privilege"),
]

EXEC_PRIV = [
    *EXEC_USER,
    Cmd("disable", act="disable"),
    Cmd("configure terminal", act="conf-t"),
    Cmd("configure terminal revert timer [idle] <1-120>", act="conf-t-revert"),
    Cmd("configure confirm", act="conf-confirm"),
    Cmd("configure revert now", act="revert-now"),
    Cmd("configure revert timer [idle] <1-120>", act="revert-timer"),
    Cmd("configure replace WORD [list] [force] [time <1-120>]", act="replace"),
    Cmd("configure replace WORD force list [time <1-120>]", act="replace"),
    Cmd("show running-config", act="show-run"),
    Cmd("show running-config interface IFNAME", act="show-run-if"),
    Cmd("show startup-config", act="show-start"),
    Cmd("show archive", act="show-archive"),
    Cmd("show archive config rollback timer", act="show-rollback-timer"),
    Cmd("show ip interface brief", act="show-ip-int-brief"),
    Cmd("show access-lists [WORD]", act="show-acl"),
    Cmd("show snmp user", act="show-snmp-user"),
    Cmd("show flash:", act="dir"),
    Cmd("dir [WORD]", act="dir"),
    Cmd("more WORD", act="more"),
    Cmd("write [memory]", act="write-mem"),
    Cmd("write terminal", act="show-run"),
    Cmd("copy running-config|startup-config|WORD running-config|startup-config|WORD", act="copy"),
    Cmd("delete [/force] WORD", act="delete"),
    Cmd("archive config", act="archive-config"),
    Cmd("reload", act="reload"),
]

PIPE_FILTERS = [
    Cmd("include LINE", act="include"),
    Cmd("exclude LINE", act="exclude"),
    Cmd("begin LINE", act="begin"),
    Cmd("section LINE", act="section"),
    Cmd("count [LINE]", act="count"),
]
