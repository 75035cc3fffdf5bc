#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM test (issue 7): two guests run IGT on their vGPUs at the same time, a
guest GPU hang recovers, the other guest is unaffected.

One vgpud (--exec, the default: guest GPU work runs on softgpu through the
shadow page tables) with two GVTg_V5_8 vGPUs; two guests with the stock i915
boot together, one vGPU each.

1. Both guests bring their GT up: no "wedged" in the log, i915's init
   workloads completed on the physical GPU, none failed.
2. IGT_SET runs in both guests at once (one thread per guest); every test
   must pass in both.
3. At once: vm1 hangs its GPU (IGT i915_hangman detector: a spinning batch
   on every engine that only a reset ends; i915 must log "GPU HANG" and
   reset; then gem_ctx_exec basic-norecovery and basic-nohangcheck, which
   hang it too), then gem_exec_basic must pass in vm1 again; vm2 meanwhile runs
   gem_blits basic to the end (slow under TCG: every GTT-mmap read is a
   trapped BAR2 access, 7-20 minutes; it must pass within BLITS_TIMEOUT s)
   and then gem_exec_basic. vm2 must see no hang, no reset and
   no failed workload, and its GPU work must go on during vm1's hang.
4. Neither guest log says "wedged"; no unexpected kernel warnings (vm1's
   hang and reset lines are allowed, with reasons, from phase 3 only);
   neither vGPU entered failsafe; in both, i915's RCS indirect-context
   workaround batch ran from host copies and engine registers were loaded
   as engines changed owner (vgpuctl status exec counters); vgpud alive.

Every guest run is listed per VM with its result in the report file
$(B)/reports/vm_vgpu_gem.txt (also printed as TAP comments).
"""

import os
import re
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vgpu_vmtest as V  # noqa: E402

REPORT = os.path.join(V.BUILD, "reports", "vm_vgpu_gem.txt")
VMS = ("vm1", "vm2")

# (IGT binary, subtest or None, per-run timeout in s): the set; each
# must pass in both guests while the other guest runs it too
IGT_SET = [
    ("core_getversion", None, 120),
    ("gem_exec_basic", None, 180),
    ("gem_exec_store", "basic", 180),
    ("gem_exec_nop", "basic-series", 180),
    ("gem_exec_nop", "basic-parallel", 180),
    ("gem_exec_nop", "basic-sequential", 180),
    ("gem_ctx_create", "basic", 180),
    ("gem_ctx_exec", "basic", 180),
    ("gem_ctx_exec", "basic-invalid-context", 180),
    ("gem_ctx_exec", "basic-close-race", 180),
    ("gem_exec_fence", "basic-busy", 180),
    ("gem_exec_fence", "basic-wait", 180),
    ("gem_mmap_gtt", "basic", 180),
]
# phase 3, vm1: a hang on each engine (rcs0, bcs0, vcs0, vecs0), each found by
# i915's heartbeat and ended by a reset; gem_ctx_exec's two basic subtests
# that hang the GPU (a context without recovery is banned, a hang with the
# heartbeat off is reset when its context closes); then plain work again
HANG = ("i915_hangman", "detector", 400)
# i915_hangman's detector counts i915's error uevents on a listener thread
# and checks the count right after gem_sync; in a 1-vCPU TCG guest that
# thread can run too late ("hang_count == 1 ... 0 != 1"): retried once
DETECTOR_RACE = re.compile(r"hang_count == 1[\s\S]*0 != 1")
HANG_CTX = [("gem_ctx_exec", "basic-norecovery", 240), ("gem_ctx_exec", "basic-nohangcheck", 240)]
AFTER = ("gem_exec_basic", None, 180)
# phase 3, vm2: a whole run reads 108 MB back through GTT mmaps, 13.5 million
# trapped 8-byte BAR2 reads (measured: 440 s alone in one guest on a loaded
# 2-core machine, 1023-1138 s beside vm1 in clean-clone make tests), so the
# bound is generous; a run cut off by it fails
BLITS_TIMEOUT = int(os.environ.get("VGPU_GEM_BLITS_TIMEOUT", "2400"))
# --debug: one "Testing src_tiling=..." line per blit checked, to see how far it got
BLITS_READS = 13500000
BLITS = ("gem_blits", "basic --debug", BLITS_TIMEOUT)
# its loops: 70 buffer pairs (3 heights x 4 widths with their start offsets)
# x 3 source x 3 destination tilings x 4 ways to read back
BLITS_CHECKS = 70 * 3 * 3 * 4

# Guest kernel lines vm1's provoked hangs cause, allowed from phase 3 on.
HANG_ALLOWED = [
    (r"\[drm\] GPU HANG: ecode", "i915_hangman hangs the GPU on purpose"),
    (r"Resetting (chip|\w+) for stopped heartbeat", "i915's recovery from the provoked hang"),
    (r"context reset due to GPU hang", "gem_ctx_exec basic-norecovery: its hanging context "
     "is reset"),
    (r"GPU crash dump saved|file a new bug report|drm/intel/issues|"
     r"GPU crash dump is required|error state", "i915's note on its first GPU hang"),
]
HANG_RE = r"GPU HANG|Resetting (chip|\w+) for"


def main():
    vmlib = V.need_env()
    tap = V.Tap()
    d = V.Vgpud(["GVTg_V5_8:%s" % n for n in VMS], ["--exec"])
    try:
        run(vmlib, tap, d)
    finally:
        d.stop(tap)
    return tap.finish()


def cmd_of(name, sub):
    return name + (" --run-subtest " + sub if sub else "")


def igt_result(rc, out):
    """IGT's verdict: exit 0 pass, 77 skip, else fail (crash, timeout, ...)."""
    if rc == 0 and not re.search(r": (FAIL|CRASH)", out):
        return "pass"
    if rc == 77:
        return "skip"
    return "fail"


class Vm:
    """One guest and the record of everything it ran."""

    def __init__(self, vmlib, d, name):
        self.vmlib, self.d, self.name = vmlib, d, name
        self.g = V.guest(vmlib, "vgpu-gem-" + name, d, name)
        self.results = []          # (phase, cmd, result, rc, out, secs, asserted)
        self.error = None
        self.blits_note = ""

    def igt(self, phase, name, sub, timeout, asserted=True):
        cmd = cmd_of(name, sub)
        t0 = time.time()
        try:
            rc, out = self.g.run(cmd + " 2>&1", timeout=timeout)
            res = igt_result(rc, out)
        except self.vmlib.CommandTimeout as e:
            rc, out, res = -1, e.output or "", "timeout"
        r = (phase, cmd, res, rc, out, time.time() - t0, asserted)
        self.results.append(r)
        return r

    def result(self, phase, cmd):
        for r in self.results:
            if r[0] == phase and r[1] == cmd:
                return r
        return None

    def exec_stats(self):
        return self.d.status(self.name)["vgpu"]["exec"]


def in_threads(jobs):
    """Run each (vm, fn) at the same time; a GuestError ends that VM's job
    and is kept in vm.error."""
    def wrap(vm, fn):
        try:
            fn()
        except vm.vmlib.GuestError as e:
            vm.error = e
    ts = [threading.Thread(target=wrap, args=j) for j in jobs]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def run(vmlib, tap, d):
    vms = [Vm(vmlib, d, n) for n in VMS]
    try:
        vmlib.start_all([vm.g for vm in vms])
    except vmlib.GuestError as e:
        tap(False, "two guests boot, one vGPU each", e)
        return
    hang_dmesg_mark = {}
    try:
        tap(True, "two guests boot, one vGPU each")
        phase1(vmlib, tap, vms)
        if any(vm.error for vm in vms):
            return
        phase2(tap, vms)
        hang_dmesg_mark = {vm.name: len(vm.g.dmesg().splitlines()) for vm in vms}
        phase3(tap, vms)
    except vmlib.GuestError as e:
        tap(False, "guests run the IGT phases", e)
    finally:
        dmesgs = {}
        for vm in vms:
            dmesgs[vm.name] = vm.g.dmesg() if vm.g.alive() else vm.g.console()
            vm.g.kill()
        write_report(vms, tap)
    for vm in vms:
        tap(vm.error is None, "%s: the guest answered throughout" % vm.name, vm.error)
    final_checks(tap, d, vms, dmesgs, hang_dmesg_mark)


def phase1(vmlib, tap, vms):
    def load(vm):
        def fn():
            vm.load = V.load_i915(vm.g)
        return fn
    in_threads([(vm, load(vm)) for vm in vms])
    for vm in vms:
        if vm.error:
            tap(False, "%s: guest i915 binds the vGPU" % vm.name, vm.error)
            continue
        rc, out = vm.load
        tap(rc == 0 and "connected" in out.split(), "%s: guest i915 binds the vGPU" % vm.name,
            out)
        wedged = [l for l in vm.g.dmesg().splitlines() if re.search(r"(?i)wedged", l)]
        tap(not wedged, "%s: the guest GT comes up: no 'wedged' in the guest log" % vm.name,
            wedged)
        ex = vm.exec_stats()
        tap(ex["enabled"] and ex["completed"] > 0 and ex["failed"] == 0 and
            ex["host_completions"] > 0,
            "%s: i915's GT init ran on the physical GPU: workloads completed, none failed"
            % vm.name, ex)


def phase2(tap, vms):
    def igt_set(vm):
        def fn():
            for name, sub, timeout in IGT_SET:
                vm.igt("set", name, sub, timeout)
        return fn
    t0 = time.time()
    in_threads([(vm, igt_set(vm)) for vm in vms])
    tap.note("IGT set in both guests at once: %.0fs" % (time.time() - t0))
    for name, sub, _ in IGT_SET:
        cmd = cmd_of(name, sub)
        rs = {vm.name: vm.result("set", cmd) for vm in vms}
        tap(all(r is not None and r[2] == "pass" for r in rs.values()),
            "IGT %s passes in both guests at once" % cmd,
            "\n".join("%s: %s" % (n, (r[2] + "\n" + r[4][-1200:]) if r else "not run")
                      for n, r in rs.items()))


def phase3(tap, vms):
    vm1, vm2 = vms
    during = {}

    def hang():
        during["vm2_before"] = vm2.exec_stats()["completed"]
        r = vm1.igt("hang", *HANG)
        if r[2] == "fail" and DETECTOR_RACE.search(r[4]):
            # IGT's uevent listener thread lost the race against gem_sync in
            # the 1-vCPU guest: the hang was handled (checked below from
            # dmesg), only the count was read too early. Kept in the report
            # under its own phase; one more try must pass.
            vm1.results[vm1.results.index(r)] = ("hang, uevent race, retried",) + r[1:6] + \
                (False,)
            vm1.igt("hang", *HANG)
        during["vm2_after"] = vm2.exec_stats()["completed"]
        for name, sub, timeout in HANG_CTX:
            vm1.igt("hang", name, sub, timeout)
        vm1.igt("hang", *AFTER)

    def blits():
        s0 = vm2.d.status(vm2.name)
        r = vm2.igt("hang", *BLITS)
        blits_cost(tap, vm2, s0, vm2.d.status(vm2.name), r)
        vm2.igt("hang", *AFTER)

    t0 = time.time()
    in_threads([(vm1, hang), (vm2, blits)])
    tap.note("hang phase: %.0fs" % (time.time() - t0))

    r = vm1.result("hang", cmd_of(*HANG[:2]))
    tap(r is not None and r[2] == "pass",
        "vm1: IGT %s passes: every engine's hang is detected and reset" % cmd_of(*HANG[:2]),
        (r[2] + "\n" + r[4][-2000:]) if r else "not run")
    dm = vm1.g.dmesg()
    hangs = [l for l in dm.splitlines() if re.search(r"GPU HANG", l)]
    resets = [l for l in dm.splitlines() if re.search(r"Resetting (chip|\w+) for", l)]
    tap(hangs and resets, "vm1: the guest i915 logs the GPU hang and resets (%d hangs, "
        "%d resets)" % (len(hangs), len(resets)), dm[-3000:])
    tap.note("vm1: " + "\n".join(hangs[:2] + resets[:2]))
    for name, sub, _ in HANG_CTX:
        r = vm1.result("hang", cmd_of(name, sub))
        tap(r is not None and r[2] == "pass", "vm1: IGT %s passes" % cmd_of(name, sub),
            (r[2] + "\n" + r[4][-1500:]) if r else "not run")
    r = vm1.result("hang", cmd_of(*AFTER[:2]))
    tap(r is not None and r[2] == "pass", "vm1: IGT %s passes after the hangs" %
        cmd_of(*AFTER[:2]), (r[2] + "\n" + r[4][-1500:]) if r else "not run")

    r = vm2.result("hang", cmd_of(*BLITS[:2]))
    tap(r is not None and r[2] == "pass",
        "vm2: IGT %s passes, started during vm1's hangs (%s after %.0fs)" %
        (cmd_of(*BLITS[:2]), r[2].upper() if r else "not run", r[5] if r else 0),
        (r[2] + "\n" + r[4][-2000:]) if r else "not run")
    if "vm2_after" in during:
        n = during["vm2_after"] - during["vm2_before"]
        tap(n > 0, "vm2: its GPU work went on while vm1 hung (%d workloads completed)" % n,
            during)
    r = vm2.result("hang", cmd_of(*AFTER[:2]))
    tap(r is not None and r[2] == "pass", "vm2: IGT %s passes after vm1's hangs" %
        cmd_of(*AFTER[:2]), (r[2] + "\n" + r[4][-1500:]) if r else "not run")


def blits_cost(tap, vm, s0, s1, r):
    """Where gem_blits' time goes: its blit checks done (igt_debug lines) and
    the trapped accesses of the vGPU while it ran, kept in vm.blits_note."""
    done = len(re.findall(r"Testing src_tiling=", r[4]))
    v0, v1 = s0["vgpu"], s1["vgpu"]
    rd = v1["aperture_reads"] - v0["aperture_reads"]
    wr = v1["aperture_writes"] - v0["aperture_writes"]
    mmio = (v1["mmio_reads"] + v1["mmio_writes"]) - (v0["mmio_reads"] + v0["mmio_writes"])
    msgs = s1.get("messages", 0) - s0.get("messages", 0)
    vm.blits_note = (
        "gem_blits basic on %s: %s after %.0fs, %d of %d blit checks done; trapped BAR2 "
        "(aperture) reads %d (a whole run: about %d), writes %d, BAR0 register accesses %d; "
        "vfio-user messages %d (%.1f us of wall time each)" % (
            vm.name, r[2].upper(), r[5], done, BLITS_CHECKS, rd, BLITS_READS, wr, mmio, msgs,
            r[5] * 1e6 / msgs if msgs else 0))


def final_checks(tap, d, vms, dmesgs, mark):
    for vm in vms:
        dm = dmesgs.get(vm.name, "")
        if not dm:
            tap(False, "%s: guest kernel log read" % vm.name)
            continue
        lines = dm.splitlines()
        wedged = [l for l in lines if re.search(r"(?i)wedged", l)]
        tap(not wedged, "%s: no 'wedged' in the guest log after every phase" % vm.name, wedged)
        bad, allowed = V.kernel_problems(dm)
        if vm.name == VMS[0] and vm.name in mark:
            after = "\n".join(lines[mark[vm.name]:])
            allowed_re = [p for p, _ in HANG_ALLOWED]
            if any(r[0].startswith("hang, uevent race") for r in vm.results):
                # the retried detector run's own FAIL lines (IGT logs to dmesg)
                allowed_re.append(r"\[IGT\] i915_hangman: finished (dynamic )?subtest "
                                  r"\w+, FAIL")
            hang_ok = [l for l in bad if l in after and
                       any(re.search(p, l) for p in allowed_re)]
            bad = [l for l in bad if l not in hang_ok]
        tap(not bad, "%s: no unexpected i915/kernel warnings in the guest" % vm.name, bad[:20])
        if vm.name != VMS[0]:
            hangs = [l for l in lines if re.search(HANG_RE, l)]
            tap(not hangs, "%s: no GPU hang or reset in the guest" % vm.name, hangs)
        st = d.status(vm.name)["vgpu"]
        tap(st["failsafe"] == 0, "%s: the vGPU never entered failsafe" % vm.name, st["exec"])
        tap(st["exec"]["shadow_wa_ctxs"] > 0,
            "%s: i915's RCS indirect-context WA batch ran from host copies (%d workloads)"
            % (vm.name, st["exec"]["shadow_wa_ctxs"]), st["exec"])
        tap(st["exec"]["engine_reg_loads"] > 0,
            "%s: its engine registers were loaded into the GPU as engines changed owner "
            "(%d writes)" % (vm.name, st["exec"]["engine_reg_loads"]), st["exec"])
        if vm.name != VMS[0]:
            tap(st["exec"]["failed"] == 0, "%s: none of its workloads failed" % vm.name,
                st["exec"])
        else:
            tap.note("%s: workloads failed (its hangs, ended by the host's hang check or its "
                     "reset): %d" % (vm.name, st["exec"]["failed"]))
    tap(d.alive(), "vgpud alive after both guests' runs")
    # Reported, not asserted: the shadow PPGTT maps a refused entry to
    # scratch (never to host memory). Reused guest pages are no longer
    # re-shadowed in their old role (~80 rate-limited lines a run before);
    # a clean-clone run still logged one line, from a path not found yet.
    with open(d.log_path, errors="replace") as f:
        refused = [l for l in f.read().splitlines() if "1G page in PDPE refused" in l]
    tap.note("vgpud log: %d rate-limited 'sppt: 1G page in PDPE refused' line(s) in the "
             "whole run" % len(refused))


def write_report(vms, tap):
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w") as f:
        f.write("# vm_vgpu_gem: IGT in two guests at once, one GVTg_V5_8 vGPU each "
                "(one vgpud --exec, softgpu)\n")
        f.write("# phase set: the IGT set in both guests at the same time; phase hang: vm1 "
                "hangs its GPU (then runs gem_exec_basic), vm2 runs gem_blits (then "
                "gem_exec_basic)\n")
        for vm in vms:
            n = sum(1 for r in vm.results if r[2] == "pass")
            f.write("\n## %s: %d runs, %d passed%s\n" % (vm.name, len(vm.results), n,
                    ", guest error: %s" % str(vm.error).splitlines()[0] if vm.error else ""))
            for phase, cmd, res, rc, out, secs, asserted in vm.results:
                f.write("%-4s %-5s %-52s %-8s rc=%-4d %6.1fs %s\n" % (
                    vm.name, phase, cmd, res.upper(), rc, secs,
                    "asserted" if asserted else "not asserted (retried, see phase)"))
        for vm in vms:
            if vm.blits_note:
                f.write("\n# %s\n" % vm.blits_note)
        f.write("\n# outputs\n")
        for vm in vms:
            for phase, cmd, res, rc, out, secs, asserted in vm.results:
                f.write("## %s %s %s: %s\n%s\n" % (vm.name, phase, cmd, res, out[-4000:]))
    tap.note("IGT report: %s" % REPORT)
    for vm in vms:
        if vm.blits_note:
            tap.note(vm.blits_note)
    for vm in vms:
        for phase, cmd, res, rc, out, secs, asserted in vm.results:
            tap.note("  %s %-5s %-52s %-8s %5.0fs" % (vm.name, phase, cmd, res.upper(), secs))


if __name__ == "__main__":
    sys.exit(main())
