#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""vgpud's vGPU types without a VM: vgpuctl types/create/status/stats/
screenshot/destroy, available_instances, the partition of GGTT ranges and fences, the
OpRegion file, bad requests, and the device over vfio-user (vus-probe reads
config space and PVINFO)."""

import json
import os
import socket
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vgpu_vmtest as V  # noqa: E402

PROBE = os.path.join(V.BUILD, "host/qemu/vfio-user/tests/vus-probe")


def raw(d, req):
    s = socket.socket(socket.AF_UNIX)
    s.connect(d.ctl_sock)
    s.sendall((json.dumps(req) + "\n").encode())
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return json.loads(buf)


def vgpuctl(d, *args):
    return subprocess.run([V.VGPUCTL, "-c", d.ctl_sock] + list(args), capture_output=True,
                          text=True, timeout=30)


def main():
    for p in (V.VGPUD, V.VGPUCTL, V.HELPER):
        if not os.access(p, os.X_OK):
            V.skip("missing %s: run 'make vgpu' first" % p)
    tap = V.Tap()
    d = V.Vgpud([])
    try:
        run(tap, d)
    finally:
        d.stop(tap)
    return tap.finish()


def avail(d):
    return {n: t.get("available_instances") for n, t in d.types().items()}


def stats(d, name):
    r = vgpuctl(d, "stats", name)
    if r.returncode:
        raise RuntimeError("vgpuctl stats %s: %s" % (name, r.stderr.strip()))
    return json.loads(r.stdout)["stats"]


def stats_checks(tap, d, sock):
    """vgpuctl stats: the mediation counters move by exactly the guest's
    accesses (over vfio-user with vus-probe); no GPU work, no time."""
    s0 = stats(d, "a")
    keys = ("cfg_reads", "cfg_writes", "reg_reads", "reg_writes", "ggtt_reads", "ggtt_writes",
            "aperture_reads", "aperture_writes", "workloads", "prepare_ns", "scan_ns",
            "sync_ns", "submit_ns", "total_ns", "sync_pages_checked", "sppt_syncs",
            "sppt_guest_pages", "messages", "monotonic_ns")
    tap(all(isinstance(s0.get(k), int) for k in keys) and s0["workloads"] == 0 and
        s0["total_ns"] == 0 and s0["sppt_syncs"] == 0,
        "vgpuctl stats: counters of a fresh vGPU, no GPU work yet", s0)
    if not os.access(PROBE, os.X_OK):
        tap(True, "stats follow vfio-user accesses # SKIP vus-probe not built (make qemu)")
        return
    r = subprocess.run([PROBE, sock, "read32", "7", "0", "read32", "7", "4", "read32", "7", "8",
                        "read32", "0", "0x78000", "read32", "0", "0x44300",
                        "read32", "0", "0x800000", "read32", "2", "0x1000"],
                       capture_output=True, text=True, timeout=30)
    s1 = stats(d, "a")
    delta = {k: s1[k] - s0[k] for k in keys}
    tap(r.returncode == 0 and delta["cfg_reads"] == 3 and delta["reg_reads"] == 2 and
        delta["ggtt_reads"] == 1 and delta["aperture_reads"] == 1 and
        delta["cfg_writes"] == delta["reg_writes"] == delta["ggtt_writes"] == 0 and
        delta["messages"] >= 7 and delta["monotonic_ns"] > 0 and delta["workloads"] == 0,
        "vgpuctl stats: each guest access over vfio-user is one trap of its kind",
        (r.stdout + r.stderr, delta))
    rep = raw(d, {"cmd": "stats", "name": "nosuch"})
    tap(not rep["ok"] and "no device" in rep["error"], "stats of an unknown device", rep)
    rep = raw(d, {"cmd": "stats"})
    tap(not rep["ok"] and "name" in rep["error"], "stats needs a name", rep)
    r = vgpuctl(d, "stats")
    tap(r.returncode == 2, "vgpuctl stats without NAME: usage error", r.stderr)


def run(tap, d):
    t = d.types()
    ok = all(n in t for n in ("GVTg_V5_8", "GVTg_V5_4"))
    tap(ok and t["GVTg_V5_8"]["available_instances"] == 2 and
        t["GVTg_V5_4"]["available_instances"] == 1 and
        t["GVTg_V5_8"]["edid_width"] == 1024 and t["GVTg_V5_4"]["edid_height"] == 1200 and
        "kvmgt-testdev" in t,
        "types: GVTg_V5_8 x2, GVTg_V5_4 x1 (softgpu's 256 MiB aperture) beside the testdev", t)
    tap("GVTg_V5_2" not in t and "GVTg_V5_1" not in t,
        "types whose aperture share does not fit are not offered (upstream rule)", list(t))

    a = d.ctl("create", "GVTg_V5_8", "a")
    b = d.ctl("create", "GVTg_V5_8", "b")
    tap(a["ok"] and b["ok"] and os.path.exists(a["socket"]), "two GVTg_V5_8 vGPUs created")
    tap(avail(d)["GVTg_V5_8"] == 0 and avail(d)["GVTg_V5_4"] == 0,
        "available_instances drop to 0", avail(d))
    r = vgpuctl(d, "create", "GVTg_V5_8", "c")
    tap(r.returncode == 1 and "no graphics memory" in r.stderr and
        d.ctl("status")["devices"] == 2,
        "a third one is refused with one clear error and nothing changes", r.stderr)
    r = vgpuctl(d, "create", "GVTg_V5_9", "c")
    tap(r.returncode == 1 and "unknown type" in r.stderr, "unknown type refused", r.stderr)

    sa, sb = d.status("a"), d.status("b")
    va, vb = sa["vgpu"], sb["vgpu"]

    def disjoint(b1, s1, b2, s2):
        return b1 + s1 <= b2 or b2 + s2 <= b1

    tap(disjoint(va["low_gm_base"], va["low_gm_size"], vb["low_gm_base"], vb["low_gm_size"]) and
        disjoint(va["high_gm_base"], va["high_gm_size"], vb["high_gm_base"], vb["high_gm_size"]) and
        va["low_gm_base"] >= 128 << 20 and vb["low_gm_base"] >= 128 << 20 and
        not set(va["fences"]) & set(vb["fences"]) and min(va["fences"] + vb["fences"]) >= 4 and
        va["id"] != vb["id"],
        "GGTT ranges, fences and ids are disjoint and outside the host's reserve", (va, vb))
    with open(sa["opregion"], "rb") as f:
        opr = f.read()
    tap(len(opr) == 8192 and opr[:16] == b"IntelGraphicsMem",
        "the OpRegion file holds the 8 KiB IGD OpRegion", sa["opregion"])
    tap(va["ggtt_host_mapped"] == 0 and va["edid"][:16] == "00ffffffffffff00",
        "a fresh vGPU: physical GGTT entries on scratch, EDID present", va)

    # the device over vfio-user, no VM
    if os.access(PROBE, os.X_OK):
        r = subprocess.run([PROBE, a["socket"], "read32", "7", "0", "read32", "7", "8",
                            "read32", "0", "0x78000", "read32", "0", "0x78040",
                            "read32", "0", "0x78048"], capture_output=True, text=True, timeout=30)
        vals = [int(x, 16) for x in r.stdout.split()] if r.returncode == 0 else []
        tap(len(vals) == 5 and vals[0] == 0x19128086 and vals[1] >> 8 == 0x030000 and
            vals[2] == 0x76544776 and vals[3] == va["low_gm_base"] and
            vals[4] == va["high_gm_base"],
            "over vfio-user: 8086:1912 VGA class, PVINFO magic and ranges", r.stdout + r.stderr)
    else:
        tap(True, "over vfio-user: vus-probe not built # SKIP make qemu")

    stats_checks(tap, d, a["socket"])

    r = vgpuctl(d, "screenshot", "a", os.path.join(d.tmp, "s.png"))
    tap(r.returncode == 1 and "display is off" in r.stderr and
        not os.path.exists(os.path.join(d.tmp, "s.png")),
        "screenshot of a dark display: clear error, no file", r.stderr)
    rep = raw(d, {"cmd": "screenshot", "name": "a", "file": "relative.png"})
    tap(not rep["ok"] and "absolute" in rep["error"], "screenshot needs an absolute path", rep)
    rep = raw(d, {"cmd": "screenshot", "name": "nosuch", "file": "/tmp/x.png"})
    tap(not rep["ok"] and "no device" in rep["error"], "screenshot of an unknown device", rep)
    d.ctl("create", "kvmgt-testdev", "td")
    rep = raw(d, {"cmd": "screenshot", "name": "td", "file": "/tmp/x.png"})
    tap(not rep["ok"] and "no display" in rep["error"], "screenshot of a device without display", rep)
    rep = raw(d, {"cmd": "stats", "name": "td"})
    tap(rep["ok"] and "messages" in rep["stats"] and "workloads" not in rep["stats"],
        "stats of a device without a GPU model: transport counters only", rep)

    opr_path = sa["opregion"]
    d.ctl("destroy", "a")
    d.ctl("destroy", "b")
    tap(avail(d)["GVTg_V5_8"] == 2 and avail(d)["GVTg_V5_4"] == 1 and
        not os.path.exists(opr_path),
        "destroy returns everything and removes the OpRegion file", avail(d))
    c = d.ctl("create", "GVTg_V5_4", "c")
    vc = d.status("c")["vgpu"]
    tap(c["ok"] and vc["low_gm_base"] == min(va["low_gm_base"], vb["low_gm_base"]) and
        vc["fences"] == sorted(va["fences"]),
        "a GVTg_V5_4 gets the freed aperture range and fences", vc)
    # EDID replacement (the guest side is in vm_vgpu_display.py)
    old = bytes.fromhex(vc["edid"])
    new = V.edid_1024x768(old)
    path = os.path.join(d.tmp, "new.edid")
    with open(path, "wb") as f:
        f.write(new)
    r = vgpuctl(d, "edid", "c", path)
    got = bytes.fromhex(d.status("c")["vgpu"]["edid"])
    tap(r.returncode == 0 and got == new and V.edid_modes(got)[1] == (1024, 768, 65000),
        "vgpuctl edid replaces the monitor's EDID", r.stderr)
    bad = bytearray(new)
    bad[127] ^= 1
    with open(path, "wb") as f:
        f.write(bad)
    r = vgpuctl(d, "edid", "c", path)
    tap(r.returncode == 1 and "not a valid EDID" in r.stderr and
        bytes.fromhex(d.status("c")["vgpu"]["edid"]) == new,
        "a bad checksum is refused and changes nothing", r.stderr)
    r = vgpuctl(d, "edid", "c", os.path.join(d.tmp, "missing.edid"))
    tap(r.returncode == 2 and "cannot read" in r.stderr, "missing EDID file: usage error", r.stderr)
    rep = raw(d, {"cmd": "edid", "name": "td", "edid": new.hex()})
    tap(not rep["ok"] and "no monitor" in rep["error"], "edid of a device without monitor", rep)
    rep = raw(d, {"cmd": "edid", "name": "c", "edid": "zz"})
    tap(not rep["ok"] and "not hex" in rep["error"], "edid: non-hex refused", rep)
    tap(d.alive(), "vgpud alive")


if __name__ == "__main__":
    sys.exit(main())
