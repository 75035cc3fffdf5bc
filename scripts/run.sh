#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make run`: the main job. Today: provision the VM toolchain, boot one guest
# under the project's QEMU, show what it sees, and say plainly which parts of
# the stack are not there yet. It grows into: start vgpud on the embedded
# softgpu, boot guests with vGPUs, report.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=${KVMGT_BUILD:-$top/build/out}

bash validation/env/provision.sh

echo "run: booting one guest (QEMU $(validation/env/qemu --version | head -n1 | awk '{print $4}'),"\
     "$([ -w /dev/kvm ] && echo KVM || echo TCG, no KVM here))..."
python3 - <<'EOF'
import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "validation")
import vmlib

os.environ["KVMGT_NO_PROVISION"] = "1"
try:
    with vmlib.Guest(name="run") as g:
        print("run: guest up in %.1fs, kernel %s" % (g.boot_seconds, g.kernel_release))
        rc, out = g.run("modprobe i915; ls /sys/class/drm | grep -c '^card' || true; "
                        "lspci -n -d 8086: -s 00:02.0 | grep -c . || true")
        cards, igd = (out.split() + ["?", "?"])[:2]
        print("run: guest DRM cards: %s; Intel GPU at 00:02.0: %s"
              % (cards, "yes" if igd == "1" else "no"))
        print("run: guest logs in %s" % g.dir)
except vmlib.GuestError as e:
    print("run: the guest failed: %s" % e, file=sys.stderr)
    sys.exit(1)
EOF

have() { compgen -G "$1" >/dev/null; }
part() { printf '  %-37s %s\n' "$1" "$2"; }
echo "run: state of the stack:"
part "VM toolchain + runner (validation/)" "works (tested by validation/tests/vm_smoke.py)"
if have "$B/host/qemu/vgpud/vgpud"; then
	part "vgpud (host/qemu/vgpud)" "built; not started by make run yet"
else
	part "vgpud (host/qemu/vgpud)" "not built yet"
fi
if have "$B/host/gvt/*.a"; then
	part "vGPU device model (host/gvt)" "library built (see make test); not attached to guests yet"
else
	part "vGPU device model (host/gvt)" "not built yet"
fi
if have "$B/host/softgpu/*.a"; then
	part "softgpu (host/softgpu)" "library built (see make test); not driving a vGPU yet"
else
	part "softgpu (host/softgpu)" "not built yet"
fi
if have "$B/shadow-ppgtt/*.a"; then
	part "shadow PPGTT (shadow-ppgtt)" "library built (see make test); not wired in yet"
else
	part "shadow PPGTT (shadow-ppgtt)" "not built yet"
fi
if have "host/kvmgt/*.c"; then
	part "KVMGT kernel module (host/kvmgt)" "sources present; not loaded by make run"
else
	part "KVMGT kernel module (host/kvmgt)" "not there yet"
fi
part "vGPU in a guest" "not yet: the guest has no Intel GPU, i915 binds nothing"
