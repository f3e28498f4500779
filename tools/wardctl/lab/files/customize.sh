#!/bin/sh
# mmdebstrap customize hook: turns the bare bookworm tree in "$1" into a lab host image.
set -eu
R="$1"

# Host keys are made per container by `wardctl lab up` (and pinned in the lab's known_hosts):
# an image must not carry keys that every container would share.
rm -f "$R"/etc/ssh/ssh_host_*
chroot "$R" systemctl mask ssh-keygen.service 2>/dev/null || true

# The admin account a technician has on a real PC: key login, sudo, no root login over SSH.
chroot "$R" useradd --create-home --shell /bin/bash --groups sudo wardadmin
printf 'wardadmin ALL=(ALL) NOPASSWD:ALL\n' > "$R/etc/sudoers.d/wardadmin"
chmod 0440 "$R/etc/sudoers.d/wardadmin"
install -d -m 0700 "$R/home/wardadmin/.ssh"
chroot "$R" chown -R wardadmin:wardadmin /home/wardadmin/.ssh

# Containers cannot set the host's clock: chrony serves/keeps time without touching it (-x).
printf 'DAEMON_OPTS="-F 1 -x"\n' > "$R/etc/default/chrony"
install -d "$R/etc/systemd/system/chrony.service.d"
printf '[Unit]\nConditionCapability=\n' > "$R/etc/systemd/system/chrony.service.d/lab.conf"

# City-hall services, started only where the lab drops /etc/wardlab/city-services.
install -d "$R/srv/mirror" "$R/etc/wardlab"
cat > "$R/etc/systemd/system/wardlab-mirror.service" <<'UNIT'
[Unit]
Description=Lab city-hall software mirror (HTTP)
ConditionPathExists=/etc/wardlab/city-services
After=network.target

[Service]
ExecStart=/usr/bin/python3 -m http.server 80 --directory /srv/mirror
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
# iperf3 serves one test at a time: one templated instance per port (5201-5204), so the line checks of several
# wards run side by side (the line_check role moves on to the next port when one answers "busy"). An idle timeout
# frees an instance whose client vanished mid-test, which would otherwise leave it "busy" for good.
cat > "$R/etc/systemd/system/wardlab-iperf3@.service" <<'UNIT'
[Unit]
Description=Lab city-hall iperf3 server on port %i
ConditionPathExists=/etc/wardlab/city-services
After=network.target

[Service]
ExecStart=/usr/bin/iperf3 --server --port %i --idle-timeout 30
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
chroot "$R" systemctl enable wardlab-mirror.service wardlab-iperf3@5201.service wardlab-iperf3@5202.service \
  wardlab-iperf3@5203.service wardlab-iperf3@5204.service
# The lab's DNS: city hall answers for the conference service and nothing outside (no upstream).
install -d "$R/etc/systemd/system/dnsmasq.service.d"
printf '[Unit]\nConditionPathExists=/etc/wardlab/city-services\n' > "$R/etc/systemd/system/dnsmasq.service.d/lab.conf"
# Debian's own iperf3 unit would listen on the same port.
chroot "$R" systemctl disable iperf3.service 2>/dev/null || true

# Units that only make noise or fail inside a container.
for unit in systemd-networkd-wait-online.service getty@tty1.service console-getty.service; do
  chroot "$R" systemctl mask "$unit" 2>/dev/null || true
done
printf 'wardlab\n' > "$R/etc/hostname"
