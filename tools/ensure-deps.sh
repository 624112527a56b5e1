#!/bin/sh
# ensure-deps.sh [view] [browser]: check for the tools the build, `make run`
# and `make test` need (and, when named, those of `make view`: Node.js and npm
# to install speedscope; of its test: a browser); as root, install the
# missing Debian packages; otherwise say exactly what is missing and how to
# install it.
set -e

missing=""
need() {	# need COMMAND-OR-PATH PACKAGE
	case "$1" in
	/*) [ -e "$1" ] && return 0 ;;
	*) command -v "$1" >/dev/null 2>&1 && return 0 ;;
	esac
	case " $missing " in *" $2 "*) ;; *) missing="$missing $2" ;; esac
}

need gcc gcc
need ld binutils
need make make
need awk mawk
need nm binutils
need grub-mkrescue grub-common
need /usr/lib/grub/i386-pc/multiboot2.mod grub-pc-bin
need xorriso xorriso
need mformat mtools
need qemu-system-x86_64 qemu-system-x86
need picocom picocom
need python3 python3
# the host unit tests include the C library's headers; bench-peer links
# the workload statically against libc.a
need /usr/include/stdio.h libc6-dev
need "$(gcc -print-file-name=libc.a 2>/dev/null | grep / || echo /nonexistent-libc.a)" libc6-dev
# the host unit tests build with AddressSanitizer and UBSan
need "$(gcc -print-file-name=libasan.so 2>/dev/null | grep / || echo /nonexistent-libasan)" libasan8
for group in "$@"; do
	case "$group" in
	view) need node nodejs; need npm npm ;;
	browser) need chromium chromium ;;
	*) echo "error: unknown group '$group' (view, browser)" >&2; exit 2 ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "error: missing Debian packages:$missing" >&2
	echo "install them as root with:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# other installs may hold dpkg's lock for a while: wait for it, not fail
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq $missing >/dev/null
echo "installed:$missing"
