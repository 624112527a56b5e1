#!/bin/sh
# ensure-deps.sh [view] [browser] [fuzz]: check for the tools the build, `make run`
# and `make test` need (and, when named, those of `make view`: Node.js and npm
# to install speedscope; of its test: a browser; of make fuzz: clang); as root, install the
# missing Debian packages; otherwise say exactly what is missing and how to
# install it.
set -e

missing=""
optional=""
have() {	# have COMMAND-OR-PATH
	case "$1" in
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}
need() {	# need COMMAND-OR-PATH PACKAGE
	have "$1" && return 0
	case " $missing " in *" $2 "*) ;; *) missing="$missing $2" ;; esac
}
want() {	# want PATH PACKAGE: installed as root; otherwise its tests are skipped
	have "$1" || optional="$optional $2"
}

need gcc gcc
need ld binutils
need make make
need awk mawk
need nm binutils
need grub-mkrescue grub-common
need /usr/lib/grub/i386-pc/multiboot2.mod grub-pc-bin
# the same ISO boots on UEFI machines: GRUB's EFI build goes in too
need /usr/lib/grub/x86_64-efi/multiboot2.mod grub-efi-amd64-bin
need xorriso xorriso
need mformat mtools
need qemu-system-x86_64 qemu-system-x86
need picocom picocom
# make run FIRMWARE=uefi and the UEFI integration tests: OVMF on q35
want /usr/share/OVMF/OVMF_CODE_4M.fd ovmf
need python3 python3
# the host unit tests include the C library's headers; bench-peer links
# the workload statically against libc.a
need /usr/include/stdio.h libc6-dev
need "$(gcc -print-file-name=libc.a 2>/dev/null | grep / || echo /nonexistent-libc.a)" libc6-dev
# the host unit tests build with AddressSanitizer and UBSan
need "$(gcc -print-file-name=libasan.so 2>/dev/null | grep / || echo /nonexistent-libasan)" libasan8
# the CRC-32 fuzz harness compares against zlib's
need /usr/include/zlib.h zlib1g-dev
# groups a target names: make view (Node.js, npm), its test (a browser), make fuzz
# (clang's libFuzzer with its sanitizers)
for group in "$@"; do
	case "$group" in
	view) need node nodejs; need npm npm ;;
	browser) need chromium chromium ;;
	fuzz) need clang-14 clang-14
	      need "$(clang-14 -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a" libclang-rt-14-dev ;;
	*) echo "error: unknown group '$group' (view, browser, fuzz)" >&2; exit 2 ;;
	esac
done

if [ "$(id -u)" != 0 ] && [ -n "$optional" ]; then
	echo "note: without$optional the UEFI tests are skipped (as root: apt-get install -y$optional)" >&2
	optional=""
fi
missing="$missing$optional"
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
