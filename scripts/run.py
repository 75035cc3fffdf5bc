#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""`make run`: the main job.

Starts vgpud on the embedded softgpu, creates one vGPU per guest, boots the
guests under the project's QEMU with the vGPU attached (vfio-user-pci at
00:02.0, memfd RAM, OpRegion through fw_cfg), loads the stock i915 in each,
sets a mode with modetest's SMPTE pattern, takes vgpud's screenshot of every
vGPU display, runs IGT's gem_exec_basic on every vGPU, and reports what each
guest saw. Everything is stopped at the
end; screenshots and logs stay in build/out/run/.

Environment: RUN_GUESTS (default 2), RUN_TYPE (default GVTg_V5_8).
"""

import os
import re
import shutil
import sys
import time

sys.dont_write_bytecode = True
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "host/qemu/vgpud/tests"))
import vgpu_vmtest as V  # noqa: E402


def say(msg):
    print("run: " + msg, flush=True)


def main():
    nguests = int(os.environ.get("RUN_GUESTS", "2"))
    vtype = os.environ.get("RUN_TYPE", "GVTg_V5_8")
    out_dir = os.path.join(V.BUILD, "run")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)

    vmlib = V.need_env()
    names = ["vgpu%d" % i for i in range(nguests)]
    d = V.Vgpud(["%s:%s" % (vtype, n) for n in names])
    if not d.alive():
        say("vgpud failed to start; log: %s" % d.log_path)
        return 1
    types = d.types()
    say("vgpud up on softgpu (embedded Gen9 model); vGPU types: %s" % ", ".join(
        "%s (%s more available)" % (t, types[t]["available_instances"])
        for t in sorted(types) if "available_instances" in types[t]))
    failed = 0
    guests = []
    try:
        for n in names:
            st = d.status(n)
            v = st.get("vgpu", {})
            say("%s: %s, GGTT low 0x%x+%dM high 0x%x+%dM, socket %s, VNC 127.0.0.1:%s" % (
                n, vtype, v.get("low_gm_base", 0), v.get("low_gm_size", 0) >> 20,
                v.get("high_gm_base", 0), v.get("high_gm_size", 0) >> 20, d.sock(n),
                st.get("vnc_port", "none")))
            guests.append(V.guest(vmlib, "run-" + n, d, n, mem_mb=768))
        t0 = time.time()
        vmlib.start_all(guests)
        say("%d guest(s) booted in %.0fs (%s)" % (len(guests), time.time() - t0,
            "KVM" if vmlib.kvm_available() else "TCG, no usable KVM here"))
        for n, g in zip(names, guests):
            failed += report(d, n, g, out_dir)
    except vmlib.GuestError as e:
        say("a guest failed: %s" % e)
        failed += 1
    finally:
        for g in guests:
            g.poweroff()
        tap = V.Tap()
        d.stop(tap)
        shutil.copy(d.log_path, out_dir) if os.path.exists(d.log_path) else None
    say("%s; screenshots and logs in %s" % ("all guests drove their vGPU" if not failed
        else "%d problem(s), see above" % failed, os.path.relpath(out_dir, TOP)))
    return 1 if failed else 0


def report(d, n, g, out_dir):
    """Load i915 in guest g, set a mode, screenshot; print what was seen."""
    ok, out = V.load_i915(g)
    dmesg = g.dmesg()
    with open(os.path.join(out_dir, n + "-dmesg.txt"), "w") as f:
        f.write(dmesg)
    for pat in (r"Virtual GPU for Intel GVT-g detected", r"(Mappable|Unmappable) graphic memory.*",
                r"VGT balloon successfully", r"Initialized i915 .*"):
        for m in re.finditer(pat, dmesg):
            say("%s: guest: %s" % (n, m.group(0)))
    rc, mt = g.run("modetest -M i915 -c", timeout=60)
    conns = V.modetest_connectors(mt)
    live = [c for c in conns if c[2] == "connected"]
    if not live or not live[0][4]:
        say("%s: no connected connector in the guest (i915 %s)" % (n, "loaded" if ok else "failed"))
        return 1
    cid, _, _, cname, modes = live[0]
    pref = next((m for m in modes if m[3]), modes[0])
    say("%s: guest connector %s connected, %d modes, preferred %dx%d"
        % (n, cname, len(modes), pref[0], pref[1]))
    V.start_modetest(g, cid, pref[0], pref[1])
    png = os.path.join(out_dir, n + ".png")
    good, detail = V.wait_pattern(d, n, png, V.smpte_rows(pref[0], pref[1]), timeout=120)
    say("%s: modetest SMPTE pattern %s in %s" % (
        n, "shown pixel for pixel" if good else "NOT shown (%s)" % detail, os.path.relpath(png, TOP)))
    wedged = g.run("cat /sys/kernel/debug/dri/0/i915_wedged 2>/dev/null || "
                   "(mount -t debugfs none /sys/kernel/debug && "
                   "cat /sys/kernel/debug/dri/0/i915_wedged)", timeout=30)[1].strip()
    if wedged not in ("0", ""):
        say("%s: guest GT wedged (see the vgpud log)" % n)
        return 1
    rc, igt = g.run("gem_exec_basic > /tmp/igt.log 2>&1; rc=$?; tail -n 3 /tmp/igt.log; exit $rc",
                    timeout=180)
    igt_ok = rc == 0 and "FAIL" not in igt
    say("%s: guest GT up; IGT gem_exec_basic on the vGPU (softgpu through shadow PPGTT): %s"
        % (n, "pass" if igt_ok else "FAIL: " + igt.strip().replace("\n", " | ")))
    return 0 if good and igt_ok else 1


if __name__ == "__main__":
    sys.exit(main())
