#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the sppt core as a Linux kernel module (kbuild, W=1) against
# src/linux/sppt_os.h, the kernel side of the deps seam. Uses KDIR, else the
# first /lib/modules/*/build or /usr/src/linux-headers-*-amd64 found.
# Skips (77) when no kernel build tree is installed (Debian: linux-headers-amd64).
set -eu
top=$(pwd)
kdir=${KDIR:-}
if [ -z "$kdir" ]; then
	for d in /lib/modules/*/build /usr/src/linux-headers-*-amd64; do
		[ -f "$d/Makefile" ] && { kdir=$d; break; }
	done
fi
if [ -z "$kdir" ]; then
	echo "no kernel build tree (install linux-headers-amd64 or set KDIR)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
srcs=""
for f in "$top"/shadow-ppgtt/src/*.c; do
	ln -s "$f" "$tmp/$(basename "$f")"
	srcs="$srcs $(basename "$f" .c).o"
done
cat >"$tmp/sppt_kmod_main.c" <<'EOC'
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/module.h>
#include "sppt.h"
static int __init sppt_check_init(void)
{
	return 0;
}
static void __exit sppt_check_exit(void)
{
}
module_init(sppt_check_init);
module_exit(sppt_check_exit);
EXPORT_SYMBOL_GPL(sppt_vgpu_create);
EXPORT_SYMBOL_GPL(sppt_submit_begin);
EXPORT_SYMBOL_GPL(sppt_write_trap);
MODULE_LICENSE("GPL");
EOC
cat >"$tmp/Kbuild" <<EOK
obj-m := sppt_check.o
sppt_check-y := sppt_kmod_main.o $srcs
ccflags-y := -I$top/shadow-ppgtt/include -I$top/shadow-ppgtt/src -I$top/shadow-ppgtt/src/linux -Werror
EOK
# Not the caller's jobserver (make -jN): its "jobserver unavailable" warning
# would read as a compiler warning below.
if ! MAKEFLAGS= make -C "$kdir" M="$tmp" W=1 modules >"$tmp/log" 2>&1; then
	cat "$tmp/log"
	echo "kbuild of the sppt core failed against $kdir"
	exit 1
fi
if grep -E 'warning:' "$tmp/log"; then
	echo "kbuild warnings"
	exit 1
fi
echo "sppt core built as a kernel module against $kdir (W=1, no warnings)"
