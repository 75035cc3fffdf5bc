#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM test (issue 6): a stock Debian 6.12 guest i915 drives our vGPU.

vgpud serves a GVTg_V5_4 vGPU; QEMU attaches it with vfio-user-pci at 00:02.0
with memfd RAM and the OpRegion through fw_cfg. In the guest: PVINFO read
through resource0 matches vgpud's partition; i915 logs "Virtual GPU for Intel
GVT-g detected", balloons to exactly the PVINFO ranges, binds, exposes
/dev/dri/card0 with one connected DP connector whose modes are our EDID's;
modetest sets the preferred mode with libdrm's SMPTE pattern, and vgpud's
screenshot equals that pattern pixel by pixel. No i915 warning or error
appears except the allowed ones (vgpu_vmtest.I915_ALLOWED, with reasons).
"""

import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vgpu_vmtest as V  # noqa: E402

DEV = "vgpu0"
TYPE = "GVTg_V5_4"


def main():
    vmlib = V.need_env()
    tap = V.Tap()
    d = V.Vgpud(["%s:%s" % (TYPE, DEV)])
    try:
        run(vmlib, tap, d)
    finally:
        d.stop(tap)
    return tap.finish()


def run(vmlib, tap, d):
    st = d.status(DEV)
    info = st["vgpu"]
    tap(os.path.getsize(st["opregion"]) == 8192, "vgpud wrote the 8 KiB OpRegion for fw_cfg")
    g = V.guest(vmlib, "vgpu-display", d, DEV, mem_mb=1024)
    try:
        g.start()
    except vmlib.GuestError as e:
        tap(False, "guest boots with the vGPU (vfio-user-pci, memfd RAM, fw_cfg OpRegion)", e)
        return
    try:
        tap(True, "guest boots with the vGPU (vfio-user-pci, memfd RAM, fw_cfg OpRegion)")
        check(tap, d, g, info)
    finally:
        g.poweroff()


def check(tap, d, g, info):
    rc, out = g.run("lspci -n -s 00:02.0; %s find" % V.G)
    tap(rc == 0 and "8086:1912" in out and V.BDF in out, "guest sees 8086:1912 at 00:02.0", out)

    # PVINFO, read before i915 binds (resource0 is free then)
    rc, out = g.run("%s pvinfo %s" % (V.G, V.BDF))
    pv = V.parse_kv(out)
    ok = rc == 0 and pv.get("magic") == "0x4776544776544776" and pv.get("version") == "1.0"
    tap(ok, "PVINFO magic vGTvGTvG, version 1.0", out)
    ranges = {k: int(pv.get(k, "0"), 16) for k in
              ("mappable_base", "mappable_size", "nonmappable_base", "nonmappable_size")}
    tap(ranges["mappable_base"] == info["low_gm_base"] and
        ranges["mappable_size"] == info["low_gm_size"] and
        ranges["nonmappable_base"] == info["high_gm_base"] and
        ranges["nonmappable_size"] == info["high_gm_size"] and
        int(pv.get("fence_num", "0")) == len(info["fences"]) and
        int(pv.get("vgt_id", "0")) == info["id"],
        "PVINFO ranges, fences and id are vgpud's partition of the GGTT", (pv, info))
    caps = int(pv.get("vgt_caps", "0"), 16)
    tap(caps & 0x1c == 0x1c, "PVINFO caps FULL_PPGTT|HWSP_EMULATION|HUGE_GTT", pv)

    rc, out = V.load_i915(g)
    tap(rc == 0 and "card0" in out and "connected" in out.split(), "i915 binds: /dev/dri/card0", out)
    dmesg = g.dmesg()
    tap("Virtual GPU for Intel GVT-g detected" in dmesg,
        "dmesg: Virtual GPU for Intel GVT-g detected", dmesg[-3000:])
    m1 = re.search(r"Mappable graphic memory: base 0x([0-9a-f]+) size (\d+)KiB", dmesg)
    m2 = re.search(r"Unmappable graphic memory: base 0x([0-9a-f]+) size (\d+)KiB", dmesg)
    ok = bool(m1 and m2) and "VGT balloon successfully" in dmesg
    if ok:
        ok = (int(m1.group(1), 16) == ranges["mappable_base"] and
              int(m1.group(2)) * 1024 == ranges["mappable_size"] and
              int(m2.group(1), 16) == ranges["nonmappable_base"] and
              int(m2.group(2)) * 1024 == ranges["nonmappable_size"])
    tap(ok, "dmesg: i915 ballooned its GGTT to exactly the PVINFO ranges",
        "\n".join(l for l in dmesg.splitlines() if "balloon" in l or "graphic memory" in l))
    for line in dmesg.splitlines():
        if re.search(r"GVT-g|balloon|graphic memory|Initialized i915|wedged|fb0", line):
            tap.note("guest: " + line.strip())
    bad, allowed = V.kernel_problems(dmesg)
    for text, why in allowed:
        tap.note("allowed: %s  [%s]" % (text, why))
    tap(not bad, "no unexpected i915/kernel warnings or errors", "\n".join(bad))

    rc, out = g.run("mount -t debugfs none /sys/kernel/debug 2>/dev/null; "
                    "cat /sys/kernel/debug/dri/0/i915_wedged")
    tap(rc == 0 and out.strip() == "0", "guest GT not wedged (i915_wedged 0)", out)
    st = d.status(DEV)["vgpu"]
    tap(st["pv_notified"] and st["failsafe"] == 0, "vGPU: guest read PVINFO, no failsafe", st)
    tap(st["ggtt_host_mapped"] > 0 and st["dma_refs"] > 0,
        "guest GGTT entries are shadowed into the physical GGTT", st)

    # connector and modes
    rc, out = g.run("modetest -M i915 -c", timeout=120)
    conns = V.modetest_connectors(out)
    connected = [c for c in conns if c[2] == "connected"]
    tap(rc == 0 and len(connected) == 1 and connected[0][3].startswith("DP-"),
        "modetest -c: exactly one connected connector, a DP one", out[:3000])
    if not connected:
        return
    conn = connected[0]
    edid = bytes.fromhex(st["edid"])
    want, pref = V.edid_modes(edid)
    got = {(m[0], m[1]) for m in conn[4]}
    tap(got == want, "connector modes are the EDID's modes (%d)" % len(want),
        "got %s\nwant %s" % (sorted(got), sorted(want)))
    prefs = [m for m in conn[4] if m[3]]
    tap(len(prefs) == 1 and prefs[0][:3] == pref,
        "preferred mode %dx%d %d kHz is the EDID's first detailed timing" % pref, conn[4])
    tap.note("modes: " + ", ".join("%dx%d" % m[:2] for m in conn[4]))

    # modetest draws its SMPTE pattern; the screenshot must show exactly it
    w, h = pref[0], pref[1]
    V.start_modetest(g, conn[0], w, h)
    png = os.path.join(d.tmp, "screen.png")
    ok, detail = V.wait_pattern(d, DEV, png, V.smpte_rows(w, h))
    rc, mt = g.run("cat /tmp/modetest.log")
    tap(ok, "vgpuctl screenshot == modetest's SMPTE pattern, pixel by pixel (%dx%d)" % (w, h),
        detail + "\nmodetest: " + mt)
    port = d.status(DEV).get("vnc_port", 0)
    if port:
        try:
            ok, detail = V.vnc_wait_image(port, V.smpte_rows(w, h))
        except (OSError, ValueError) as e:
            ok, detail = False, str(e)
    else:
        ok, detail = False, "no vnc_port in vgpuctl status"
    tap(ok, "a VNC viewer on the reported port sees the same pattern", detail)
    st = d.status(DEV)
    v = st["vgpu"]
    tap(v["pipe_a_primary"]["enabled"] and v["vblanks"] > 0 and v["msi_sent"] > 0 and
        v["msi_failed"] == 0, "display runs: vblanks delivered by MSI", v)
    tap(st["bad_messages"] == 0, "every vfio-user message QEMU sent was accepted", st)

    # a new monitor: vgpuctl edid -> hotplug -> the guest's mode list follows
    new = V.edid_1024x768(edid)
    path = os.path.join(d.tmp, "new.edid")
    with open(path, "wb") as f:
        f.write(new)
    d.ctl("edid", DEV, path)
    want2, pref2 = V.edid_modes(new)
    # i915 re-reads the EDID on the hotplug interrupt (the connector's EDID
    # property follows at once) ...
    ok, out = False, ""
    for _ in range(10):
        rc, out = g.run("modetest -M i915 -c", timeout=120)
        if V.modetest_edid(out) == new:
            ok = True
            break
        time.sleep(1)
    tap(ok, "vgpuctl edid: hotplug interrupt, i915 re-reads the EDID by itself", out[:1500])
    # ... and a DRM master's probe (modetest -s holds master: stop it) lists the new modes
    g.run("kill $(pidof modetest) 2>/dev/null; sleep 1")
    ok, detail = False, ""
    for _ in range(10):
        rc, out = g.run("modetest -M i915 -c", timeout=120)
        conns = [c for c in V.modetest_connectors(out) if c[2] == "connected"]
        modes = conns[0][4] if len(conns) == 1 else []
        detail = "modes %s\nwant %s preferred %s" % (modes, sorted(want2), pref2)
        if {(m[0], m[1]) for m in modes} == want2 and [m[:3] for m in modes if m[3]] == [pref2]:
            ok = True
            break
        time.sleep(1)
    tap(ok, "vgpuctl edid: the guest sees the new monitor (%dx%d preferred)" % pref2[:2], detail)
    bad, _ = V.kernel_problems(g.dmesg())
    tap(not bad, "still no unexpected kernel warnings after the mode set and the hotplug",
        "\n".join(bad))


if __name__ == "__main__":
    sys.exit(main())
