#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make deps`: install the Debian packages the host build and tests need.
# Idempotent: a fast no-op when everything is present.
set -eu
pkgs=(
	build-essential clang llvm libclang-rt-14-dev	# gcc and clang builds, ASan/UBSan, libFuzzer
	libcmocka-dev					# unit tests
	libjson-c-dev					# vfio-user capabilities, control API
	libpng-dev libvncserver-dev			# display export
	mmdebstrap debian-archive-keyring zstd xz-utils cpio e2fsprogs	# VM toolchain provisioning
	python3 pciutils procps iproute2 socat		# VM runner and test helpers
	valgrind
	linux-headers-amd64				# kbuild checks of the freestanding cores (shadow-ppgtt)
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages (${missing[*]}); run 'make deps' as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "deps: apt-get update failed: is Debian's archive reachable?" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
	{ echo "deps: apt-get install failed for: ${missing[*]}" >&2; exit 1; }
echo "deps: done"
