#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM test (issue 6): destroying the VM leaves vgpud healthy and the vGPU's
GGTT range and fences free again.

A GVTg_V5_8 vGPU drives a guest's i915 (its GGTT range shadowed into the
physical GGTT); QEMU is then killed (the VM is destroyed): vgpud drops the
client, its guest-memory maps and every GGTT mapping, and keeps serving.
`vgpuctl destroy` then gives the GGTT ranges and fences back:
available_instances returns to its start value, a GVTg_V5_4 vGPU (which needs
the whole vGPU aperture pool) fits again, starts on the freed range with the
freed fences and finds its physical GGTT entries on scratch. A second guest on
the new vGPU binds i915 again.
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
    d = V.Vgpud([])
    try:
        run(vmlib, tap, d)
    finally:
        d.stop(tap)
    return tap.finish()


def avail(d):
    return {n: t["available_instances"] for n, t in d.types().items()
            if "available_instances" in t}


def run(vmlib, tap, d):
    start = avail(d)
    tap(start.get("GVTg_V5_8", 0) >= 1 and start.get("GVTg_V5_4", 0) >= 1,
        "vgpuctl types lists GVTg_V5_8 and GVTg_V5_4 with available_instances", start)
    d.ctl("create", "GVTg_V5_8", "vm1")
    after = avail(d)
    tap(after["GVTg_V5_8"] == start["GVTg_V5_8"] - 1 and after["GVTg_V5_4"] == 0,
        "a GVTg_V5_8 vGPU takes its share: available_instances drop", (start, after))
    info = d.status("vm1")["vgpu"]

    g = V.guest(vmlib, "vgpu-life1", d, "vm1")
    try:
        g.start()
        rc, out = V.load_i915(g)
        tap(rc == 0 and "connected" in out.split(), "guest i915 binds the vGPU", out)
    except vmlib.GuestError as e:
        tap(False, "guest i915 binds the vGPU", e)
    st = d.status("vm1")
    tap(st["connected"] and st["vgpu"]["ggtt_host_mapped"] > 0 and st["vgpu"]["dma_refs"] > 0,
        "the guest's GGTT entries are shadowed into the physical GGTT", st["vgpu"])

    g.kill()                       # the VM is destroyed (QEMU killed)
    t0 = time.time()
    while time.time() - t0 < 20:
        st = d.status("vm1")
        if not st["connected"]:
            break
        time.sleep(0.2)
    v = st["vgpu"]
    tap(not st["connected"] and st["dma_maps"] == 0 and v["ram_regions"] == 0,
        "VM destroyed: vgpud drops the client and its guest-memory maps", st)
    tap(v["ggtt_host_mapped"] == 0 and v["dma_refs"] == 0,
        "no physical GGTT entry maps the dead guest's memory any more", v)
    tap(d.alive() and d.ctl("status")["devices"] == 1, "vgpud healthy after the VM died")

    d.ctl("destroy", "vm1")
    back = avail(d)
    tap(back == start, "vgpuctl destroy: available_instances back to the start values",
        (start, back))
    d.ctl("create", "GVTg_V5_4", "vm2")
    v2 = d.status("vm2")["vgpu"]
    tap(v2["low_gm_base"] == info["low_gm_base"] and
        v2["high_gm_base"] + v2["high_gm_size"] == info["high_gm_base"] + info["high_gm_size"],
        "the freed GGTT ranges are handed out again", (info, v2))
    tap(v2["fences"] == info["fences"], "the freed fences are handed out again",
        (info["fences"], v2["fences"]))
    tap(v2["ggtt_host_mapped"] == 0, "the new vGPU's physical GGTT entries are all scratch", v2)

    g = V.guest(vmlib, "vgpu-life2", d, "vm2")
    try:
        g.start()
        rc, out = V.load_i915(g)
        dm = g.dmesg()
        tap(rc == 0 and "connected" in out.split() and "VGT balloon successfully" in dm,
            "a new guest on the recreated vGPU binds i915 and balloons", out + dm[-2000:])
    except vmlib.GuestError as e:
        tap(False, "a new guest on the recreated vGPU binds i915 and balloons", e)
    finally:
        g.poweroff()
    t0 = time.time()
    while time.time() - t0 < 20:
        st = d.status("vm2")
        if not st["connected"]:
            break
        time.sleep(0.2)
    tap(st["bad_messages"] == 0 and not st["connected"],
        "guest powered off cleanly: client gone, no bad messages", st)


if __name__ == "__main__":
    sys.exit(main())
