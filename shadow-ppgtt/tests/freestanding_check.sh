#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The sppt core must build with no libc and no OS headers: compile every core
# source against tests/freestanding/sppt_os.h with -ffreestanding -nostdinc
# (only the compiler's own headers), and check the objects reference no
# symbol outside the deps seam.
set -eu
cc=${CC:-cc}
inc=$($cc -print-file-name=include)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for src in shadow-ppgtt/src/*.c; do
	obj=$tmp/$(basename "$src" .c).o # sppt_*.o
	$cc -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -nostdinc -isystem "$inc" \
		-Ishadow-ppgtt/include -Ishadow-ppgtt/src -Ishadow-ppgtt/tests/freestanding \
		-c "$src" -o "$obj"
done
ld -r -o "$tmp/core.o" "$tmp"/sppt_*.o
undef=$(nm -u "$tmp/core.o" | awk 'NF == 2 {print $2}' | sort -u |
	grep -vE '^(sppt_os_[a-z_]+|memcpy|memset|memcmp)$' || true)
if [ -n "$undef" ]; then
	echo "core references symbols outside the deps seam:"
	echo "$undef"
	exit 1
fi
echo "freestanding core: $(ls shadow-ppgtt/src/*.c | wc -l) sources built, no outside symbols"
