#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Provision the VM toolchain into $KVMGT_CACHE (default <repo>/build/cache):
#   tools/root       Debian trixie + trixie-backports: QEMU >= 10.1 (vfio-user-pci),
#                    SeaBIOS, OVMF, libvirt, virtinst. Run via validation/env/qemu.
#   guest/base       sid userspace (busybox-static, kmod, modetest, IGT tests, pciutils)
#   guest/debs       the trixie 6.12 kernel package
#   guest/vmlinuz, guest/initrd.img, guest/rootfs.ext4
#                    the bootable guest: direct kernel boot, tiny initramfs that
#                    mounts rootfs.ext4 (virtio-blk, opened with snapshot=on) =
#                    base + the kernel's modules (pruned to what guests need) + agent
# Every part is cached by a key over its inputs (this script's step function,
# package lists, guest scripts); manifests record the resulting package versions.
# Stale directories are removed with --one-file-system: an interrupted mmdebstrap
# may leave /proc, /sys or /dev mounted inside them.
# Usage: provision.sh [--quiet] [--force]   (--quiet: print only the steps that build)
set -Eeuo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${KVMGT_CACHE:-$top/build/cache}
# Debian's own tools only (mmdebstrap's helpers are python3 scripts: no pyenv shims)
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
mirror=${KVMGT_MIRROR:-http://deb.debian.org/debian}
quiet=0 force=0
for a in "$@"; do
	case $a in
	--quiet) quiet=1 ;;
	--force) force=1 ;;
	*) echo "provision: unknown argument '$a' (use --quiet, --force)" >&2; exit 2 ;;
	esac
done

TOOL_PKGS="qemu-system-x86 seabios ovmf ipxe-qemu libvirt-clients libvirt-daemon-system virtinst"
# qemu and its firmware come from trixie-backports (QEMU 11.1 lists vfio-user-pci).
TOOL_PIN="qemu-* seabios ipxe-qemu ovmf"
GUEST_PKGS="busybox-static kmod libdrm-tests igt-gpu-tools-tests pciutils"
# Modules the guests need; their dependencies are added automatically.
GUEST_MODULES="i915 vgem virtio_pci virtio_blk virtio_console virtio_rng 9p 9pnet_virtio
	vfio vfio_pci vfio_iommu_type1 ext4 crc32c_generic crc32c_intel"
# Only these are put into the initramfs (needed to mount the root disk).
INITRD_MODULES="virtio_pci virtio_blk crc32c_generic ext4"

say() { echo "env: $*"; }
note() { [ "$quiet" = 1 ] || echo "env: $*"; }     # nothing to do: silent with --quiet
# The first error of any step is the one reported (steps run in parallel).
die() {
	if [ -z "${TMPDIR:-}" ] || mkdir "$TMPDIR/.error.$$" 2>/dev/null; then echo "env: error: $*" >&2; fi
	exit 1
}

mkdir -p "$cache" 2>/dev/null || die "cannot create cache dir $cache"
cache=$(cd "$cache" && pwd)
export TMPDIR=$cache/tmp
mkdir -p "$TMPDIR"
trap 'rmdir "$TMPDIR/.error.$$" 2>/dev/null || true' EXIT

# one message per failing shell: the main one or a step running in the background
stepshell=$$
trap '[ "$BASHPID" != "$stepshell" ] || die "provisioning failed (provision.sh line $LINENO)"' ERR
exec 9>"$cache/.provision.lock"
flock 9

aptopts=(--aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Retries "3"'
	--dpkgopt=force-unsafe-io
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
	--dpkgopt='path-include=/usr/share/doc/*/copyright'
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*')

# key NAME...: hash over the definitions of the named functions and variables
key() {
	{ for f in "$@"; do
		if declare -F "$f" >/dev/null; then declare -f "$f"; else declare -p "$f"; fi
	done; } | sha256sum | cut -c1-16
}

# Run mmdebstrap with its log in the cache; turn known failures into one clear error.
debstrap() {
	local log=$1; shift
	local avail
	avail=$(df -Pk "$cache" | awk 'NR==2 {print $4}')
	[ "$avail" -ge $((3 * 1024 * 1024)) ] ||
		die "disk full: $((avail / 1024)) MiB free under $cache, need 3 GiB"
	if ! mmdebstrap --variant=apt "${aptopts[@]}" "$@" >"$log" 2>&1; then
		if grep -qiE 'no space left|ENOSPC' "$log"; then
			die "disk full while building (see $log)"
		elif grep -qiE "could not resolve|failed to fetch|temporary failure|connection (refused|timed out)|unable to connect|InRelease.*(not|failed)" "$log"; then
			die "the Debian archive ($mirror) is unreachable (see $log)"
		fi
		grep -E '^E:' "$log" | head -n 5 >&2 || true
		die "mmdebstrap failed (see $log)"
	fi
}

versions() { dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${Package} ${Version}\n'; }

# Does a QEMU binary list vfio-user-pci (and so is new enough: >= 10.1)?
qemu_ok() { "$@" -device help 2>/dev/null | grep -q '"vfio-user-pci"'; }

# ---------------------------------------------------------------- tool root
build_tool_root() {
	local dir=$1
	debstrap "$cache/tools/build.log" \
		--setup-hook='mkdir -p "$1/etc/apt/preferences.d"' \
		--setup-hook="printf 'Package: $TOOL_PIN\nPin: release n=trixie-backports\nPin-Priority: 990\n' > \"\$1/etc/apt/preferences.d/kvmgt\"" \
		--include="${TOOL_PKGS// /,}" \
		trixie "$dir" "deb $mirror trixie main" "deb $mirror trixie-backports main"
	# Firmware links must resolve inside the root: the wrapper runs without chroot.
	local l
	for l in $(find "$dir/usr/share/qemu" "$dir/usr/share/seabios" -type l -lname '/*'); do
		ln -sfnr "$dir$(readlink "$l")" "$l"
	done
	rm -rf "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*_Packages
}

tools() {
	local k; k=$(key build_tool_root debstrap TOOL_PKGS TOOL_PIN aptopts)
	local sysq; sysq=$(command -v qemu-system-x86_64 || true)
	if [ -n "$sysq" ] && qemu_ok "$sysq"; then
		note "tools: system QEMU $("$sysq" --version | head -n1 | awk '{print $4}') lists vfio-user-pci: using it"
		mkdir -p "$cache/tools"; echo "system $sysq" >"$cache/tools/mode.new"; mv "$cache/tools/mode.new" "$cache/tools/mode"
		return
	fi
	if [ "$force" = 0 ] && [ -f "$cache/tools/manifest" ] && grep -qx "key $k" "$cache/tools/manifest" &&
		qemu_ok "$top/validation/env/qemu"; then
		note "tools: cached ($(awk '$1=="qemu-system-x86" {print "qemu " $2}' "$cache/tools/manifest"))"
		return
	fi
	say "tools: building trixie tool root with QEMU from trixie-backports (2-8 min)..."
	local t0=$SECONDS
	mkdir -p "$cache/tools"; rm -rf --one-file-system "$cache/tools/root.new" "$cache/tools/manifest"
	build_tool_root "$cache/tools/root.new"
	rm -rf --one-file-system "$cache/tools/root"; mv "$cache/tools/root.new" "$cache/tools/root"
	echo "root" >"$cache/tools/mode.new"; mv "$cache/tools/mode.new" "$cache/tools/mode"
	qemu_ok "$top/validation/env/qemu" || die "QEMU in the tool root does not list vfio-user-pci"
	{ echo "key $k"; echo "inputs $TOOL_PKGS"; versions "$cache/tools/root"; } >"$cache/tools/manifest"
	say "tools: done in $((SECONDS - t0))s ($(awk '$1=="qemu-system-x86" {print "qemu " $2}' "$cache/tools/manifest"))"
}

# ---------------------------------------------------------------- guest base
# sid userspace as mmdebstrap made it, plus the trixie kernel .deb beside it
build_guest_base() {
	local dir=$1 debs=$2
	debstrap "$cache/guest/build.log" \
		--include="${GUEST_PKGS// /,}" \
		--customize-hook='chroot "$1" sh -c "cd /tmp && v=\$(apt-cache depends linux-image-amd64/trixie | sed -n \"s/.*Depends: \\(linux-image-6[^ ]*\\)/\\1/p\" | head -n1) && apt-get download -q \$v/trixie"' \
		--customize-hook="mkdir -p '$debs' && mv \"\$1\"/tmp/linux-image-*.deb '$debs'/" \
		sid "$dir" "deb $mirror sid main" "deb $mirror trixie main"
	rm -rf "$dir/var/cache/apt/"* "$dir/var/lib/apt/lists/"*
}

guest_base() {
	local k; k=$(key build_guest_base debstrap GUEST_PKGS aptopts)
	if [ "$force" = 0 ] && [ -f "$cache/guest/base.manifest" ] && grep -qx "key $k" "$cache/guest/base.manifest"; then
		note "guest base: cached ($(sed -n 's/^kernel-deb //p' "$cache/guest/base.manifest"))"
		return
	fi
	say "guest base: building sid userspace, fetching the trixie kernel (1-5 min)..."
	local t0=$SECONDS
	mkdir -p "$cache/guest"
	rm -rf --one-file-system "$cache/guest/base.new" "$cache/guest/debs" "$cache/guest/base.manifest" "$cache/guest/image.manifest"
	build_guest_base "$cache/guest/base.new" "$cache/guest/debs"
	rm -rf --one-file-system "$cache/guest/base"; mv "$cache/guest/base.new" "$cache/guest/base"
	{ echo "key $k"; echo "inputs $GUEST_PKGS"
	  echo "kernel-deb $(basename "$(ls "$cache/guest/debs"/linux-image-*.deb)")"
	  versions "$cache/guest/base"; } >"$cache/guest/base.manifest"
	say "guest base: done in $((SECONDS - t0))s"
}

# modinfo_deps MODDIR NAME: print the module path of NAME and of all it depends on
modinfo_deps() {
	local md=$1 name=$2
	awk -v n="$name" -F': *' '
		{ p=$1; sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); gsub(/-/, "_", p)
		  file[p]=$1; deps[p]=$2 }
		END {
			gsub(/-/, "_", n); if (!(n in file)) exit 0
			q[1]=n; qn=1; seen[n]=1
			for (i = 1; i <= qn; i++) {
				print file[q[i]]
				c = split(deps[q[i]], d, " ")
				for (j = 1; j <= c; j++) {
					p = d[j]; sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); gsub(/-/, "_", p)
					if (!(p in seen)) { seen[p]=1; q[++qn]=p }
				}
			}
		}' "$md/modules.dep"
}

# ---------------------------------------------------------------- guest image
# base + kernel modules (pruned) + agent  ->  vmlinuz, initrd.img, rootfs.ext4
build_image() {
	local g=$1 st="$TMPDIR/guest-root.$$" kver m f b
	rm -rf --one-file-system "$st"
	# hard-link copy of base: only add new files to $st, or unlink before writing
	cp -al "$g/base" "$st"
	# the whole kernel package, unpacked inside the staging root so that the
	# guest's own depmod indexes it (the host needs no kmod)
	local kx=$st/tmp/kernel
	mkdir -p "$kx"
	dpkg-deb -x "$(ls "$g/debs"/linux-image-*.deb | head -n1)" "$kx"
	[ -d "$kx/lib/modules" ] || ln -s usr/lib "$kx/lib"
	kver=$(ls "$kx/lib/modules")
	chroot "$st" depmod -b /tmp/kernel "$kver"
	local md=$kx/lib/modules/$kver dst=$st/usr/lib/modules/$kver
	mkdir -p "$dst"
	cp "$md"/modules.order "$md"/modules.builtin "$md"/modules.builtin.modinfo "$dst/"
	for m in $(for m in $GUEST_MODULES; do modinfo_deps "$md" "$m"; done | sort -u); do
		mkdir -p "$dst/$(dirname "$m")"
		cp "$md/$m" "$dst/$m"
	done
	chroot "$st" depmod "$kver"
	cp "$kx/boot/vmlinuz-$kver" "$g/vmlinuz.new"
	rm -rf "$kx"
	echo "$kver" >"$st/etc/kvmgt-kernel"
	install -m 0755 "$top/validation/env/guest/kvmgt-init" "$st/sbin/kvmgt-init"
	install -m 0755 "$top/validation/env/guest/kvmgt-agent" "$st/sbin/kvmgt-agent"
	# busybox applets the userspace lacks (free, ps, ...): last in the guest's PATH
	mkdir -p "$st/opt/busybox"
	chroot "$st" /usr/bin/busybox --install -s /opt/busybox
	mkdir -p "$st/mnt/host"
	rm -f "$st/etc/hostname"; echo kvmgt-guest >"$st/etc/hostname"
	# initramfs: static busybox, the root-disk modules (uncompressed) in load order, /init
	local ir="$TMPDIR/initrd.$$"
	rm -rf "$ir"; mkdir -p "$ir/bin" "$ir/lib/modules" "$ir/dev" "$ir/proc" "$ir/sys" "$ir/newroot"
	cp "$st/usr/bin/busybox" "$ir/bin/busybox"
	: >"$ir/modules.load"
	for m in $INITRD_MODULES; do
		modinfo_deps "$dst" "$m" | tac
	done | awk '!seen[$0]++' | while read -r f; do
		b=$(basename "$f"); b=${b%.xz}; b=${b%.zst}
		case $f in
		*.xz) xz -dc "$dst/$f" >"$ir/lib/modules/$b" ;;
		*.zst) zstd -qdc "$dst/$f" >"$ir/lib/modules/$b" ;;
		*) cp "$dst/$f" "$ir/lib/modules/$b" ;;
		esac
		echo "$b" >>"$ir/modules.load"
	done
	install -m 0755 "$top/validation/env/guest/init" "$ir/init"
	(cd "$ir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$g/initrd.img.new"
	# root disk: ext4 straight from the directory, with room for tests to write
	# (guests open it with snapshot=on: writes stay in a per-guest overlay)
	local kb; kb=$(du -sk "$st" | cut -f1)
	rm -f "$g/rootfs.ext4.new"
	mke2fs -q -t ext4 -O ^has_journal -L kvmgt-root -d "$st" "$g/rootfs.ext4.new" $((kb * 5 / 4 + 262144))k >/dev/null
	rm -rf --one-file-system "$st" "$ir"
	mv "$g/initrd.img.new" "$g/initrd.img"; mv "$g/vmlinuz.new" "$g/vmlinuz"
	mv "$g/rootfs.ext4.new" "$g/rootfs.ext4"
	echo "$kver" >"$g/kernel-release"
}

image() {
	local k; k=$(key build_image modinfo_deps GUEST_MODULES INITRD_MODULES)
	k=$k-$(cat "$top"/validation/env/guest/{init,kvmgt-init,kvmgt-agent} | sha256sum | cut -c1-8)
	k=$k-$(sed -n 's/^key //p' "$cache/guest/base.manifest")
	if [ "$force" = 0 ] && [ -f "$cache/guest/image.manifest" ] && grep -qx "key $k" "$cache/guest/image.manifest" &&
		[ -f "$cache/guest/rootfs.ext4" ]; then
		note "guest image: cached (kernel $(cat "$cache/guest/kernel-release"))"
		return
	fi
	say "guest image: building vmlinuz, initrd.img, rootfs.ext4..."
	local t0=$SECONDS
	rm -f "$cache/guest/image.manifest"
	build_image "$cache/guest"
	{ echo "key $k"; echo "kernel $(cat "$cache/guest/kernel-release")"; echo "modules $GUEST_MODULES"
	  (cd "$cache/guest" && ls -l vmlinuz initrd.img rootfs.ext4); } >"$cache/guest/image.manifest"
	say "guest image: done in $((SECONDS - t0))s (kernel $(cat "$cache/guest/kernel-release"), $(du -h "$cache/guest/rootfs.ext4" | cut -f1) rootfs.ext4)"
}

command -v mmdebstrap >/dev/null || die "mmdebstrap missing: run 'make deps'"
# The two mmdebstrap runs are independent: overlap them (downloads vs installs).
{ stepshell=$BASHPID; tools; } & tools_pid=$!
{ stepshell=$BASHPID; guest_base; } & base_pid=$!
st=0
wait $tools_pid || st=1
wait $base_pid || st=1
[ $st = 0 ] || exit 1
image
{ echo "# KVMGT VM toolchain, $(date -u +%FT%TZ)"; cat "$cache/tools/mode"
  grep -h '^key ' "$cache/tools/manifest" "$cache/guest/base.manifest" "$cache/guest/image.manifest" 2>/dev/null || true
} >"$cache/manifest"
note "ready in $cache"
