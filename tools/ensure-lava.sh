#!/bin/sh
# ensure-lava.sh: make lava needs lava-run, Debian's lava-dispatcher. As root,
# install it when missing; otherwise print the line that would.
# --no-install-recommends: the package alone is 145 packages, 185 MB
# (about 30 s here); its recommendations would add 1.1 GB more (guestfs
# appliances, docker) that running a job on QEMU or a serial board never uses.
set -e
command -v lava-run >/dev/null 2>&1 && exit 0
install="apt-get install -y --no-install-recommends lava-dispatcher"
if [ "$(id -u)" != 0 ]; then
	echo "error: lava-run is missing; install it as root with:" >&2
	echo "  apt-get update && $install" >&2
	exit 1
fi
echo "installing lava-dispatcher (for lava-run)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$install -qq >/dev/null
command -v lava-run >/dev/null
echo "installed lava-dispatcher"
