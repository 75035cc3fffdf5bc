# SPDX-License-Identifier: GPL-2.0-only
"""Shared helpers of the vGPU VM tests (vm_vgpu_*.py): vgpud + vgpuctl,
guests with a vGPU, PNG decoding, libdrm's SMPTE pattern, EDID modes and
the guest-kernel-log allow list."""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.dont_write_bytecode = True
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(TOP, "validation"))
BUILD = os.environ.get("KVMGT_BUILD") or os.path.join(TOP, "build", "out")
VGPUD = os.path.join(BUILD, "host/qemu/vgpud/vgpud")
VGPUCTL = os.path.join(BUILD, "host/qemu/vgpud/vgpuctl")
HELPER = os.path.join(BUILD, "host/qemu/vgpud/guest/vgpu-guest")
G = "/mnt/host/vgpu-guest"
BDF = "0000:00:02.0"


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def __call__(self, ok, name, detail=""):
        self.n += 1
        self.failed += not ok
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name))
        if detail and not ok:
            for line in str(detail).splitlines()[-40:]:
                print("#   " + line)
        sys.stdout.flush()
        return ok

    def note(self, msg):
        for line in str(msg).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def finish(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def skip(why):
    print(why)
    sys.exit(77)


def need_env():
    for p in (VGPUD, VGPUCTL, HELPER):
        if not os.access(p, os.X_OK):
            skip("missing %s: run 'make vgpu' first" % p)
    try:
        import vmlib
    except ImportError:
        skip("validation/vmlib.py not available")
    try:
        vmlib.provision()
    except Exception as e:  # noqa: BLE001 - any provisioning trouble is a skip
        skip("VM toolchain not provisioned: %s" % str(e).splitlines()[0])
    return vmlib


class Vgpud:
    """vgpud in a private directory; devices created with --create."""

    def __init__(self, creates, extra_args=()):
        self.tmp = tempfile.mkdtemp(prefix="vm-vgpu-")
        self.share = os.path.join(self.tmp, "share")
        os.mkdir(self.share)
        shutil.copy(HELPER, self.share)
        self.log_path = os.path.join(self.tmp, "vgpud.log")
        self.log = open(self.log_path, "w")
        self.ctl_sock = os.path.join(self.tmp, "control.sock")
        args = [VGPUD, "-d", self.tmp, "-l", os.environ.get("VGPUD_LOG_LEVEL", "info")]
        for c in creates:
            args += ["-C", c]
        args += list(extra_args) + os.environ.get("VGPUD_EXTRA_ARGS", "").split()
        self.proc = subprocess.Popen(args, stderr=self.log)
        for _ in range(200):
            if os.path.exists(self.ctl_sock) or self.proc.poll() is not None:
                break
            time.sleep(0.05)

    def alive(self):
        return self.proc.poll() is None

    def ctl(self, *args):
        r = subprocess.run([VGPUCTL, "-c", self.ctl_sock, "--json"] + list(args),
                           capture_output=True, text=True, timeout=60)
        if r.returncode:
            raise RuntimeError("vgpuctl %s: %s" % (" ".join(args), r.stderr.strip()))
        return json.loads(r.stdout)

    def status(self, name):
        return self.ctl("status", name)["status"]

    def types(self):
        return {t["name"]: t for t in self.ctl("types")["types"]}

    def sock(self, name):
        return os.path.join(self.tmp, name + ".sock")

    def screenshot(self, name, path):
        """(reply, error string)"""
        try:
            return self.ctl("screenshot", name, path), ""
        except RuntimeError as e:
            return None, str(e)

    def stop(self, tap):
        self.proc.terminate()
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = -1
        tap(rc == 0, "vgpud exits 0 on SIGTERM")
        self.log.close()
        if tap.failed:
            # the whole log outlives the private directory, beside the guests' logs
            keep = os.path.join(BUILD, "vm", "vgpud-%s.log" % os.path.basename(self.tmp))
            try:
                os.makedirs(os.path.dirname(keep), exist_ok=True)
                shutil.copy(self.log_path, keep)
                tap.note("vgpud log: %s" % keep)
            except OSError as e:
                tap.note("vgpud log not kept: %s" % e)
            with open(self.log_path) as f:
                tap.note("vgpud log (tail, without the shadow PPGTT's 1G-PDPE lines):")
                lines = [l for l in f.read().splitlines() if "1G page in PDPE" not in l]
                for line in lines[-40:]:
                    tap.note("  " + line)
        shutil.rmtree(self.tmp, ignore_errors=True)


def guest(vmlib, name, d, dev, mem_mb=768):
    """A guest with vGPU `dev` of vgpud `d` at 00:02.0 (the IGD slot) and its
    OpRegion through fw_cfg, as docs/vgpud.md tells users to run it."""
    st = d.status(dev)
    dev_arg = json.dumps({"driver": "vfio-user-pci", "id": "vgpu0", "addr": "02.0",
                          "socket": {"type": "unix", "path": d.sock(dev)}})
    return vmlib.Guest(name=name, memfd=True, mem_mb=mem_mb, share_dir=d.share,
                       qemu_args=["-device", dev_arg, "-fw_cfg",
                                  "name=etc/igd-opregion,file=%s" % st["opregion"]],
                       boot_timeout=240)


def load_i915(g, timeout=240):
    """modprobe i915 and wait for the KMS device; returns (ok, output)."""
    return g.run("modprobe i915; for i in $(seq 1 %d); do "
                 "[ -e /dev/dri/card0 ] && grep -q . /sys/class/drm/card0-*/status && break; "
                 "sleep 1; done; ls /dev/dri; cat /sys/class/drm/card0-*/status" % (timeout // 2),
                 timeout=timeout)


def parse_kv(out):
    kv = {}
    for line in out.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            kv[k.strip()] = v.strip()
    return kv


# ---- guest kernel log ----------------------------------------------------

# Every i915/drm warning or error a phase-1 vGPU guest may log, with why.
I915_ALLOWED = [
    # The guest image has no linux-firmware: no DMC (display power-saving
    # microcontroller) blob. i915 then keeps runtime PM off; the vGPU does
    # not model DC states anyway.
    (r"firmware: failed to load i915/skl_dmc", "no DMC firmware in the guest image"),
    (r"Direct firmware load for i915/skl_dmc.* failed", "no DMC firmware in the guest image"),
    (r"Failed to load DMC firmware", "no DMC firmware in the guest image"),
    (r"DMC firmware homepage", "no DMC firmware in the guest image"),
    # No entry for a wedged GT any more: vgpud runs the guest's GPU work
    # (issue 7), so "wedged", GPU hangs and engine resets are failures.
    (r"GT0: (GUC|HuC|uc).*(disabled|not supported)", "no GuC on a vGPU"),
]


def kernel_problems(dmesg):
    """(unexpected lines, allowed lines with reasons) among the guest kernel's
    warnings/errors: lines with WARNING/BUG/Oops/Call Trace, *ERROR*, or
    i915/drm lines saying error/fail/warn/timed out."""
    bad, allowed = [], []
    for line in dmesg.splitlines():
        text = re.sub(r"^\[\s*[\d.]+\]\s*", "", line)
        serious = re.search(r"WARNING:|BUG:|Oops|Call Trace|\*ERROR\*|kernel panic|"
                            r"general protection|RIP: .*i915", text)
        drm = re.search(r"i915|\[drm\]|drm:", text) and re.search(
            r"(?i)\b(error\w*|fail\w*|warn\w*|timed out|timeout|underrun|wedged|hang|hung|taint\w*)\b",
            text)
        if not (serious or drm):
            continue
        for pat, why in I915_ALLOWED:
            if re.search(pat, text):
                allowed.append((text, why))
                break
        else:
            bad.append(text)
    return bad, allowed


# ---- EDID and modes ------------------------------------------------------

_EST = [  # established timings I and II, byte 35 bit 7 first
    (720, 400, 70), (720, 400, 88), (640, 480, 60), (640, 480, 67),
    (640, 480, 72), (640, 480, 75), (800, 600, 56), (800, 600, 60),
    (800, 600, 72), (800, 600, 75), (832, 624, 75), (1024, 768, 87),
    (1024, 768, 60), (1024, 768, 70), (1024, 768, 75), (1280, 1024, 75),
]


def edid_modes(edid):
    """Set of (w, h) the EDID's base block describes, and the first detailed
    timing (w, h, clock_khz) = the preferred mode."""
    modes, pref = set(), None
    bits = edid[35] << 8 | edid[36]
    for i, m in enumerate(_EST):
        if bits & (0x8000 >> i):
            modes.add(m[:2])
    for i in range(8):
        b1, b2 = edid[38 + 2 * i], edid[39 + 2 * i]
        if (b1, b2) == (1, 1) or b1 == 0:
            continue
        w = (b1 + 31) * 8
        h = {0: w * 10 // 16, 1: w * 3 // 4, 2: w * 4 // 5, 3: w * 9 // 16}[b2 >> 6]
        modes.add((w, h))
    for i in range(4):
        d = edid[54 + 18 * i: 72 + 18 * i]
        clk = d[0] | d[1] << 8
        if not clk:
            continue
        w = d[2] | (d[4] & 0xf0) << 4
        h = d[5] | (d[7] & 0xf0) << 4
        modes.add((w, h))
        if pref is None:
            pref = (w, h, clk * 10)
    return modes, pref


def modetest_connectors(out):
    """[(id, encoder, status, name, [(w, h, clock_khz, preferred), ...])] from modetest -c"""
    conns, cur = [], None
    for line in out.splitlines():
        m = re.match(r"^(\d+)\s+(\d+)\s+(connected|disconnected|unknown)\s+(\S+)", line)
        if m:
            cur = (int(m.group(1)), int(m.group(2)), m.group(3), m.group(4), [])
            conns.append(cur)
            continue
        m = re.match(r"^\s+#\d+\s+(\d+)x(\d+)\S*\s+[\d.]+\s+(\d+)\s+\d+\s+\d+\s+\d+\s+(\d+)"
                     r"\s+\d+\s+\d+\s+\d+\s+(\d+).*type: (.*)", line)
        if m and cur:
            cur[4].append((int(m.group(1)), int(m.group(2)), int(m.group(5)),
                           "preferred" in m.group(6)))
    return conns


def modetest_edid(out):
    """The first connector's EDID property blob from modetest -c output."""
    lines, hexs, state = out.splitlines(), "", 0
    for line in lines:
        t = line.strip()
        if state == 0 and re.match(r"\d+ EDID:", t):
            state = 1
        elif state == 1 and t == "value:":
            state = 2
        elif state == 2:
            if re.fullmatch(r"[0-9a-f]{2,}", t):
                hexs += t
            elif hexs:
                break
    return bytes.fromhex(hexs) if hexs else b""


# ---- pixels --------------------------------------------------------------

def png_read(path):
    """(width, height, rows of (r, g, b) bytes) of an 8-bit RGB PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        ln, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + ln]
        if typ == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype != 2:
                raise ValueError("not 8-bit RGB")
        elif typ == b"IDAT":
            idat += body
        pos += 12 + ln
    raw = zlib.decompress(idat)
    bpp, stride = 3, w * 3
    rows, prev, off = [], bytearray(stride), 0
    for _ in range(h):
        ft, line = raw[off], bytearray(raw[off + 1:off + 1 + stride])
        off += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


def smpte_rows(width, height):
    """libdrm's SMPTE pattern (tests/util/pattern.c fill_smpte_rgb32) for an
    XRGB8888 buffer, as rows of RGB bytes."""
    top = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0),
           (192, 0, 192), (192, 0, 0), (0, 0, 192)]
    mid = [(0, 0, 192), (19, 19, 19), (192, 0, 192), (19, 19, 19),
           (0, 192, 192), (19, 19, 19), (192, 192, 192)]
    bot = [(0, 33, 76), (255, 255, 255), (50, 0, 106), (19, 19, 19),
           (9, 9, 9), (19, 19, 19), (29, 29, 29), (19, 19, 19)]

    def row(cols):
        return b"".join(bytes(c) for c in cols)

    r_top = row(top[x * 7 // width] for x in range(width))
    r_mid = row(mid[x * 7 // width] for x in range(width))
    w57, w67, w7 = width * 5 // 7, width * 6 // 7, width // 7
    r_bot = row(bot[x * 4 // w57] if x < w57 else
                bot[(x - w57) * 3 // w7 + 4] if x < w67 else bot[7] for x in range(width))
    return [r_top if y < height * 6 // 9 else r_mid if y < height * 7 // 9 else r_bot
            for y in range(height)]


def compare_rows(got, want):
    """(number of differing pixels, first differences as text)"""
    bad, first = 0, []
    for y, (g, w) in enumerate(zip(got, want)):
        if g == w:
            continue
        for x in range(0, min(len(g), len(w)), 3):
            if g[x:x + 3] != w[x:x + 3]:
                bad += 1
                if len(first) < 5:
                    first.append("(%d,%d) got %s want %s" % (x // 3, y, tuple(g[x:x + 3]),
                                                             tuple(w[x:x + 3])))
    bad += abs(len(got) - len(want)) * (len(want[0]) // 3 if want else 0)
    return bad, "; ".join(first)


def start_modetest(g, conn, w, h):
    """modetest sets the mode with the SMPTE pattern and keeps it (its stdin
    never ends); output in /tmp/modetest.log."""
    return g.run("(sleep 100000 | modetest -M i915 -s %d:%dx%d -F smpte > /tmp/modetest.log 2>&1 &)"
                 % (conn, w, h), timeout=30)


def wait_pattern(d, dev, path, want, timeout=120):
    """Screenshot until the PNG equals `want` rows (the guest may still be
    drawing); returns (ok, detail)."""
    t0, detail = time.time(), ""
    while time.time() - t0 < timeout:
        reply, err = d.screenshot(dev, path)
        if reply:
            w, h, rows = png_read(path)
            bad, first = compare_rows(rows, want)
            detail = "screenshot %dx%d, %d pixels differ: %s" % (w, h, bad, first)
            if w == len(want[0]) // 3 and h == len(want) and bad == 0:
                return True, detail
        else:
            detail = err
        time.sleep(2)
    return False, detail


# ---- VNC -----------------------------------------------------------------

def _recvn(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("VNC server closed the connection")
        buf += chunk
    return buf


def vnc_wait_image(port, want, timeout=60):
    """Connect to 127.0.0.1:port as an RFB 3.8 viewer (security None, raw
    encoding + DesktopSize) and request full updates until the screen equals
    `want` (rows of RGB bytes); reconnects if the size stays wrong.
    Returns (ok, detail)."""
    t0, detail = time.time(), ""
    while time.time() - t0 < timeout:
        ok, detail = _vnc_session(port, want, min(15, timeout - (time.time() - t0)))
        if ok:
            return ok, detail
    return False, detail


def _vnc_session(port, want, timeout):
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        ver = _recvn(s, 12)
        s.sendall(b"RFB 003.008\n")
        n = _recvn(s, 1)[0]
        types = _recvn(s, n)
        if 1 not in types:
            return False, "no security type None: %r" % types
        s.sendall(b"\x01")
        if struct.unpack(">I", _recvn(s, 4))[0] != 0:
            return False, "security handshake failed"
        s.sendall(b"\x01")                       # shared
        w, h = struct.unpack(">HH", _recvn(s, 4))
        _recvn(s, 16)
        name = _recvn(s, struct.unpack(">I", _recvn(s, 4))[0])
        # 32 bpp, depth 24, little endian, true colour, 0x00RRGGBB
        s.sendall(struct.pack(">B3xBBBBHHHBBB3x", 0, 32, 24, 0, 1, 255, 255, 255, 16, 8, 0))
        s.sendall(struct.pack(">BxHii", 2, 2, 0, -223))   # raw, DesktopSize
        fb = bytearray(w * h * 3)
        t0, detail = time.time(), ""
        while time.time() - t0 < timeout:
            s.sendall(struct.pack(">BBHHHH", 3, 0, 0, 0, w, h))
            mtype = _recvn(s, 1)[0]
            if mtype != 0:                       # bell, cut text, colour map: skip
                if mtype == 2:
                    continue
                return False, "unexpected server message %d" % mtype
            _recvn(s, 1)
            nrects = struct.unpack(">H", _recvn(s, 2))[0]
            for _ in range(nrects):
                x, y, rw, rh, enc = struct.unpack(">HHHHi", _recvn(s, 12))
                if enc == -223:                  # new desktop size
                    w, h, fb = rw, rh, bytearray(rw * rh * 3)
                    continue
                if enc != 0:
                    return False, "unexpected encoding %d" % enc
                data = _recvn(s, rw * rh * 4)
                for r in range(rh):
                    row = data[r * rw * 4:(r + 1) * rw * 4]
                    rgb = bytearray(rw * 3)
                    rgb[0::3], rgb[1::3], rgb[2::3] = row[2::4], row[1::4], row[0::4]
                    off = ((y + r) * w + x) * 3
                    fb[off:off + rw * 3] = rgb
            rows = [bytes(fb[i * w * 3:(i + 1) * w * 3]) for i in range(h)]
            if w == len(want[0]) // 3 and h == len(want):
                bad, first = compare_rows(rows, want)
                detail = "VNC %dx%d '%s' (%s), %d pixels differ: %s" % (
                    w, h, name.decode(errors="replace"), ver.strip().decode(), bad, first)
                if bad == 0:
                    return True, detail
            else:
                detail = "VNC screen %dx%d" % (w, h)
            time.sleep(0.5)
        return False, detail
    finally:
        s.close()


def edid_1024x768(edid):
    """`edid`'s base block with its first detailed timing replaced by the VESA
    1024x768@60 mode (65 MHz, -hsync -vsync) and the checksum fixed."""
    e = bytearray(edid[:128])
    e[54:72] = bytes([0x64, 0x19, 0x00, 0x40, 0x41, 0x00, 0x26, 0x30, 0x18, 0x88, 0x36, 0x00,
                      e[66], e[67], e[68], 0, 0, 0x18])
    e[126] = 0                                   # no extension blocks
    e[127] = (256 - sum(e[:127]) % 256) % 256
    return bytes(e)
