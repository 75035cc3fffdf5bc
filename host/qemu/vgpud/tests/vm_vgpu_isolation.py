#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM test (issue 6): a hostile guest cannot crash vgpud or touch another
VM's display.

Two guests, each with a GVTg_V5_8 vGPU of one vgpud. Guest B sets a mode with
modetest's SMPTE pattern (checked in vgpud's screenshot). Guest A binds i915,
unbinds it, then writes a pseudo-random value to every dword of its vGPU's
register space (BAR0 [0, 2 MiB)) and to 65536 random GGTT entries. vgpud must
survive, and guest B's screenshot, its physical GGTT mappings and its display
must be exactly as before.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vgpu_vmtest as V  # noqa: E402


def main():
    vmlib = V.need_env()
    tap = V.Tap()
    d = V.Vgpud(["GVTg_V5_8:vga", "GVTg_V5_8:vgb"])
    try:
        run(vmlib, tap, d)
    finally:
        d.stop(tap)
    return tap.finish()


def run(vmlib, tap, d):
    ga = V.guest(vmlib, "vgpu-hostile", d, "vga", mem_mb=512)
    gb = V.guest(vmlib, "vgpu-victim", d, "vgb", mem_mb=512)
    try:
        vmlib.start_all([ga, gb])
    except vmlib.GuestError as e:
        tap(False, "two guests boot, each with its own vGPU", e)
        ga.kill()
        gb.kill()
        return
    try:
        tap(True, "two guests boot, each with its own vGPU")
        check(vmlib, tap, d, ga, gb)
    finally:
        for g in (ga, gb):
            try:
                g.poweroff()
            except vmlib.GuestError:
                g.kill()


def check(vmlib, tap, d, ga, gb):
    ra, oa = V.load_i915(ga)
    rb, ob = V.load_i915(gb)
    tap(ra == 0 and rb == 0 and "connected" in oa.split() and "connected" in ob.split(),
        "i915 binds in both guests", oa + ob)

    rc, out = gb.run("modetest -M i915 -c", timeout=120)
    conns = [c for c in V.modetest_connectors(out) if c[2] == "connected"]
    if not tap(len(conns) == 1, "guest B: one connected connector", out[:2000]):
        return
    pref = [m for m in conns[0][4] if m[3]][0]
    w, h = pref[0], pref[1]
    V.start_modetest(gb, conns[0][0], w, h)
    want = V.smpte_rows(w, h)
    png1 = os.path.join(d.tmp, "b-before.png")
    ok, detail = V.wait_pattern(d, "vgb", png1, want)
    tap(ok, "guest B shows modetest's SMPTE pattern (%dx%d)" % (w, h), detail)
    before = d.status("vgb")["vgpu"]

    rc, out = ga.run("echo %s > /sys/bus/pci/drivers/i915/unbind; echo unbound" % V.BDF,
                     timeout=240)
    tap(rc == 0 and "unbound" in out, "guest A unbinds i915 from its vGPU", out)
    a0 = d.status("vga")["vgpu"]
    t0 = time.time()
    try:
        rc, out = ga.run("%s randwrite %s 0x%x" % (V.G, V.BDF, int.from_bytes(os.urandom(4), "little")),
                         timeout=900)
    except vmlib.GuestError as e:
        rc, out = -1, str(e)
    tap.note("guest A: %s (%.0f s)" % (out.strip().splitlines()[-1] if out.strip() else "", time.time() - t0))
    tap(rc == 0 and "randwrite" in out,
        "guest A wrote random values to every register and 65536 GGTT entries", out)
    tap(d.alive(), "vgpud survived the hostile guest")
    a1 = d.status("vga")["vgpu"]
    tap(a1["mmio_writes"] - a0["mmio_writes"] >= (2 << 20) // 4,
        "vgpud handled every register write (%d)" % (a1["mmio_writes"] - a0["mmio_writes"]), a1)
    tap.note("hostile vGPU after the storm: failsafe=%d ggtt_dropped=%d ggtt_map_failures=%d "
             "unmapped_bar0=%d gt_resets=%d" % (a1["failsafe"], a1["ggtt_dropped"],
                                                a1["ggtt_map_failures"],
                                                a1["unmapped_bar0_accesses"], a1["gt_resets"]))

    png2 = os.path.join(d.tmp, "b-after.png")
    reply, err = d.screenshot("vgb", png2)
    same = False
    if reply:
        same = V.png_read(png1)[2] == V.png_read(png2)[2]
    tap(same, "guest B's screenshot is unchanged", err)
    after = d.status("vgb")["vgpu"]
    tap(after["ggtt_host_mapped"] == before["ggtt_host_mapped"] and
        after["low_gm_base"] == before["low_gm_base"] and
        after["pipe_a_primary"] == before["pipe_a_primary"],
        "guest B's GGTT mappings and plane are unchanged", (before, after))
    time.sleep(1)
    later = d.status("vgb")["vgpu"]
    tap(later["frame_count"] > before["frame_count"] and later["vblanks"] > before["vblanks"],
        "guest B's display keeps running (frame counter, vblanks)", (before, later))
    rc, out = gb.run("cat /tmp/modetest.log; echo alive", timeout=60)
    tap(rc == 0 and "alive" in out, "guest B still answers", out)
    bad, _ = V.kernel_problems(gb.dmesg())
    tap(not bad, "guest B's kernel logged no unexpected warnings or errors", "\n".join(bad))
    st = d.status("vga")
    tap(st["bad_messages"] == 0, "the hostile guest's QEMU sent only well-formed messages", st)


if __name__ == "__main__":
    sys.exit(main())
