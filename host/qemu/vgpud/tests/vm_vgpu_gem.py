#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM test (issue 7): with `vgpud --exec` (the default) a stock guest i915 brings the GT up
on a vGPU (no "wedged" in its log) and IGT's basic GEM tests pass in the
guest, their work executed by softgpu through the shadow page tables.

Every IGT run is listed with its result in the report file
$(B)/reports/vm_vgpu_gem.txt (also printed as TAP comments). Tests in
REQUIRED must pass; those in EXTRA are run and reported (the issue's full
list) but not yet asserted.
"""

import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vgpu_vmtest as V  # noqa: E402

REPORT = os.path.join(V.BUILD, "reports", "vm_vgpu_gem.txt")

# (IGT binary, subtest or None, per-run timeout in s)
REQUIRED = [
    ("core_getversion", None, 120),
    ("gem_exec_basic", None, 150),
    ("gem_exec_store", "basic", 150),
    ("gem_exec_nop", "basic-series", 150),
]
EXTRA = [
    ("gem_exec_nop", "basic-parallel", 150),
    ("gem_exec_nop", "basic-sequential", 150),
    ("gem_ctx_create", "basic", 150),
    ("gem_ctx_exec", "basic", 150),
    ("gem_exec_fence", "basic-busy", 150),
    ("gem_exec_fence", "basic-wait", 150),
    ("gem_mmap_gtt", "basic", 150),
    # slow under TCG (every GTT-mmap read is a trapped aperture access):
    # runs well past a minute, reported as TIMEOUT when cut off
    ("gem_blits", "basic", 60),
]


def main():
    vmlib = V.need_env()
    tap = V.Tap()
    d = V.Vgpud(["GVTg_V5_8:vm1"], ["--exec"])
    try:
        run(vmlib, tap, d)
    finally:
        d.stop(tap)
    return tap.finish()


def igt_result(rc, out):
    """IGT's verdict: exit 0 pass, 77 skip, else fail (crash, timeout, ...)."""
    if rc == 0 and not re.search(r": (FAIL|CRASH)", out):
        return "pass"
    if rc == 77:
        return "skip"
    return "fail"


def run_igt(vmlib, g, name, sub, timeout):
    cmd = name + (" --run-subtest " + sub if sub else "")
    t0 = time.time()
    try:
        rc, out = g.run(cmd + " 2>&1", timeout=timeout)
        res = igt_result(rc, out)
    except vmlib.CommandTimeout as e:
        rc, out, res = -1, e.output or "", "timeout"
    return cmd, res, rc, out, time.time() - t0


def run(vmlib, tap, d):
    g = V.guest(vmlib, "vgpu-gem", d, "vm1")
    results = []
    try:
        g.start()
        rc, out = V.load_i915(g)
        tap(rc == 0 and "connected" in out.split(), "guest i915 binds the vGPU", out)
        dmesg = g.dmesg()
        wedged = [l for l in dmesg.splitlines() if re.search(r"(?i)wedged", l)]
        tap(not wedged, "the guest GT comes up: no 'wedged' in the guest log", wedged)
        ex = d.status("vm1")["vgpu"]["exec"]
        tap(ex["enabled"] and ex["completed"] > 0 and ex["failed"] == 0 and
            ex["host_completions"] > 0,
            "i915's GT init ran on the physical GPU: workloads completed, none failed", ex)
        for name, sub, timeout in REQUIRED + EXTRA:
            results.append((name, sub) + run_igt(vmlib, g, name, sub, timeout))
            if not g.alive():
                break
        dmesg = g.dmesg()
    except vmlib.GuestError as e:
        tap(False, "guest runs the IGT set", e)
        dmesg = ""
    finally:
        g.kill()

    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w") as f:
        f.write("# vm_vgpu_gem: IGT in a guest on a GVTg_V5_8 vGPU (vgpud --exec, softgpu)\n")
        for name, sub, cmd, res, rc, out, secs in results:
            req = "required" if (name, sub) in [(n, s) for n, s, _ in REQUIRED] else "extra"
            f.write("%-45s %-8s rc=%-4d %6.1fs %s\n" % (cmd, res.upper(), rc, secs, req))
        f.write("\n# outputs\n")
        for name, sub, cmd, res, rc, out, secs in results:
            f.write("## %s: %s\n%s\n" % (cmd, res, out[-4000:]))
    tap.note("IGT report: %s" % REPORT)
    for name, sub, cmd, res, rc, out, secs in results:
        tap.note("  %-45s %s" % (cmd, res.upper()))

    got = {(r[0], r[1]): r for r in results}
    for name, sub, _ in REQUIRED:
        r = got.get((name, sub))
        tap(r is not None and r[3] == "pass", "IGT %s passes in the guest" %
            (name + (" --run-subtest " + sub if sub else "")),
            r[5][-1500:] if r else "not run")

    if dmesg:
        wedged = [l for l in dmesg.splitlines() if re.search(r"(?i)wedged", l)]
        tap(not wedged, "no 'wedged' in the guest log after the IGT runs", wedged)
        bad, allowed = V.kernel_problems(dmesg)
        tap(not bad, "no unexpected i915/kernel warnings in the guest", bad[:20])
    st = d.status("vm1")["vgpu"]
    tap(st["failsafe"] == 0, "the vGPU never entered failsafe", st["exec"])
    tap(d.alive(), "vgpud alive after the IGT runs")


if __name__ == "__main__":
    sys.exit(main())
