# SPDX-License-Identifier: GPL-2.0-only
"""KVMGT VM runner: boot guests under the project's QEMU and run commands in them.

    import sys; sys.path.insert(0, "validation"); import vmlib
    with vmlib.Guest(name="smoke", share_dir="build/out") as g:
        rc, out = g.run("uname -r", timeout=60)

Each guest is one QEMU process (direct kernel boot of the provisioned trixie
6.12 kernel, root disk rootfs.ext4 opened with snapshot=on, so guests share
the image and every write stays private to the guest).  An agent in the guest
(PID 1, busybox sh) reads requests from a virtio-serial port whose host end is
a socket this module listens on; replies carry unique begin/end markers with
the byte count and exit code.  See validation/env/guest/kvmgt-agent.

Everything a guest leaves on the host is under build/out/vm/<name>-<pid>-<n>/:
console.log (serial console, kernel messages at warning and above),
qemu.log (QEMU's stderr), qemu.cmd (the command line), and the snapshot
overlay (QEMU's TMPDIR).  QEMU processes never outlive this Python process:
they get PR_SET_PDEATHSIG when started from the main thread, and an atexit
hook plus SIGTERM/SIGINT/SIGHUP handlers kill any guest still running.
"""

import atexit
import base64
import ctypes
import itertools
import os
import select
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.abspath(os.environ.get("KVMGT_CACHE") or os.path.join(TOP, "build", "cache"))
BUILD = os.path.abspath(os.environ.get("KVMGT_BUILD") or os.path.join(TOP, "build", "out"))
QEMU = os.path.join(TOP, "validation", "env", "qemu")
GUEST_DIR = os.path.join(CACHE, "guest")

MAX_SCRIPT = 64 * 1024          # bigger payloads go through share_dir


class GuestError(Exception):
    """The guest failed to boot, died, or the agent stopped answering."""


class CommandTimeout(GuestError):
    """A command ran past its timeout (it was killed in the guest).
    .output holds what it printed before that."""

    def __init__(self, msg, output=""):
        super().__init__(msg)
        self.output = output


_live = set()
_live_lock = threading.Lock()
_seq = itertools.count()
_provisioned = False
_prov_lock = threading.Lock()


def _kill_all():
    with _live_lock:
        guests = list(_live)
    for g in guests:
        g.kill()


def _on_signal(signum, frame):
    _kill_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


atexit.register(_kill_all)
if threading.current_thread() is threading.main_thread():
    for _s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        if signal.getsignal(_s) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(_s, _on_signal)


_kvm_ok = None
_kvm_lock = threading.Lock()


def _kvm_probe():
    """Boot the guest kernel under KVM for a moment: True when it prints its banner.

    A /dev/kvm that opens is not enough: nested or restricted KVM can fail on
    the first instruction it has to emulate ("KVM internal error. Suberror: 1")
    and then QEMU hangs with the vCPU stopped.  The answer is cached per host
    boot (boot_id) under the cache so only the first guest pays for it."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()
    except OSError:
        boot = "unknown"
    memo = os.path.join(CACHE, "kvm-probe-" + boot)
    try:
        with open(memo) as f:
            return f.read().strip() == "ok"
    except OSError:
        pass
    kernel = os.path.join(GUEST_DIR, "vmlinuz")
    if not os.path.exists(kernel):
        return False            # nothing to probe with yet; don't cache
    ok = False
    why = "no kernel output within 20 s"
    with tempfile.TemporaryDirectory(prefix="kvmgt-kvm-probe-") as tmp:
        serial = os.path.join(tmp, "serial.log")
        p = subprocess.Popen([QEMU, "-accel", "kvm", "-cpu", "host", "-machine", "q35",
                              "-m", "128", "-nodefaults", "-display", "none", "-no-reboot",
                              "-kernel", kernel, "-append", "console=ttyS0 panic=-1",
                              "-serial", "file:" + serial],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, preexec_fn=_pdeathsig)
        os.set_blocking(p.stderr.fileno(), False)
        err = b""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                err += p.stderr.read() or b""
            except OSError:
                pass
            try:
                with open(serial, "rb") as f:
                    if b"Linux version" in f.read():
                        ok = True
                        break
            except OSError:
                pass
            if b"KVM internal error" in err or p.poll() is not None:
                why = (err.decode(errors="replace").strip().splitlines() or
                       ["QEMU exited"])[0]
                break
            time.sleep(0.1)
        p.kill()
        p.wait()
    if not ok:
        sys.stderr.write("vmlib: /dev/kvm is present but KVM cannot run the guest (%s); "
                         "using TCG (set KVMGT_ACCEL=kvm to force KVM)\n" % why)
    try:
        os.makedirs(CACHE, exist_ok=True)
        with open(memo + ".tmp", "w") as f:
            f.write("ok\n" if ok else "broken: %s\n" % why)
        os.replace(memo + ".tmp", memo)
    except OSError:
        pass
    return ok


def kvm_available():
    """Whether guests run under KVM: KVMGT_ACCEL=kvm or tcg decides; otherwise
    (auto) KVM when /dev/kvm opens and a probe boot shows it can run the guest."""
    global _kvm_ok
    want = os.environ.get("KVMGT_ACCEL") or "auto"
    if want not in ("auto", "kvm", "tcg"):
        raise GuestError("KVMGT_ACCEL must be auto, kvm or tcg, not %r" % want)
    if want == "kvm":
        return True
    if want == "tcg" or not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    with _kvm_lock:
        if _kvm_ok is None:
            _kvm_ok = _kvm_probe()
        return _kvm_ok


def provision(quiet=True):
    """Provision the toolchain if the cache is missing or stale (under a second when
    warm).  Its progress lines go to stderr (with quiet, only the steps that build).
    Done once per process; set KVMGT_NO_PROVISION=1 to skip the check."""
    global _provisioned
    with _prov_lock:
        if _provisioned or os.environ.get("KVMGT_NO_PROVISION") == "1":
            return
        args = ["env", "KVMGT_CACHE=" + CACHE,
                "bash", os.path.join(TOP, "validation", "env", "provision.sh")]
        if quiet:
            args.append("--quiet")
        sys.stdout.flush()
        sys.stderr.flush()
        r = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(),
                           stderr=sys.stderr.fileno())
        if r.returncode != 0:
            raise GuestError("provisioning the VM toolchain failed (see the env: lines above)")
        _provisioned = True


def _pdeathsig():
    # QEMU dies with its parent thread (we only use it from the main thread)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)     # PR_SET_PDEATHSIG
    except Exception:
        pass


class Guest:
    def __init__(self, name="guest", mem_mb=1024, smp=1, memfd=False, qemu_args=None,
                 share_dir=None, kernel_args="", boot_timeout=120, viommu=False,
                 lifetime=None):
        if not name or "/" in name or any(c.isspace() for c in name):
            raise ValueError("Guest name must be a non-empty word without '/': %r" % name)
        if share_dir is not None and not os.path.isdir(share_dir):
            raise ValueError("share_dir is not a directory: %r" % share_dir)
        self.name = name
        self.mem_mb = int(mem_mb)
        self.smp = int(smp)
        self.memfd = bool(memfd)
        self.qemu_args = list(qemu_args or [])
        self.share_dir = os.path.abspath(share_dir) if share_dir else None
        self.kernel_args = kernel_args
        self.boot_timeout = boot_timeout
        # The trixie kernel has no CONFIG_VFIO_NOIOMMU: to use vfio-pci in the
        # guest, give it an emulated Intel IOMMU (viommu=True) instead.
        self.viommu = bool(viommu)
        # Whole-guest time limit in seconds from start(): QEMU is killed when it
        # runs out, and the pending or next call raises GuestError.
        self.lifetime = lifetime
        self._watchdog = None
        self._expired = False
        self.dir = os.path.join(BUILD, "vm", "%s-%d-%d" % (name, os.getpid(), next(_seq)))
        self.log_path = os.path.join(self.dir, "console.log")
        self.qemu_log_path = os.path.join(self.dir, "qemu.log")
        self.qemu_pid = None
        self.kernel_release = None
        self.boot_seconds = None
        self._proc = None
        self._lsock = None
        self._sock = None
        self._buf = b""
        self._ids = itertools.count(1)
        self._t0 = None
        self._dead = False

    # ------------------------------------------------------------ lifecycle
    def command_line(self):
        """The QEMU argument vector (without the binary)."""
        accel = ["-accel", "kvm", "-cpu", "host"] if kvm_available() else \
            ["-accel", "tcg,thread=multi" if self.smp > 1 else "tcg"]
        machine = "q35"
        mem = ["-m", "%dM" % self.mem_mb]
        if self.memfd:
            mem += ["-object", "memory-backend-memfd,id=kvmgt-ram,size=%dM,share=on" % self.mem_mb]
            machine += ",memory-backend=kvmgt-ram"
        # no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer
        # check can miss ticks and panic ("IO-APIC + timer doesn't work").
        append = ("console=ttyS0 root=/dev/vda panic=-1 loglevel=5 no_timer_check "
                  "kvmgt.name=%s" % self.name)
        share = []
        if self.share_dir:
            append += " kvmgt.share=1"
            share = ["-fsdev", "local,id=kvmgt-share,path=%s,security_model=none,readonly=on"
                     % self.share_dir.replace(",", ",,"),
                     "-device", "virtio-9p-pci,fsdev=kvmgt-share,mount_tag=kvmgtshare,addr=12.0"]
        iommu = []
        if self.viommu:
            append += " intel_iommu=on"
            iommu = ["-device", "intel-iommu"]
        if self.kernel_args:
            append += " " + self.kernel_args
        return (["-nodefaults", "-no-user-config", "-machine", machine] + accel + mem +
                ["-smp", str(self.smp), "-display", "none", "-vga", "none", "-no-reboot",
                 "-name", self.name] + iommu +
                ["-kernel", os.path.join(GUEST_DIR, "vmlinuz"),
                 "-initrd", os.path.join(GUEST_DIR, "initrd.img"),
                 "-append", append,
                 # the runner's own devices sit at slots 0x10-0x12, leaving the
                 # low slots (00:02.0, the IGD slot, first) to the test's devices
                 "-drive", "file=%s,if=none,id=kvmgt-root,format=raw,snapshot=on"
                 % os.path.join(GUEST_DIR, "rootfs.ext4"),
                 "-device", "virtio-blk-pci,drive=kvmgt-root,addr=10.0",
                 "-chardev", "file,id=kvmgt-con,path=%s" % self.log_path,
                 "-serial", "chardev:kvmgt-con",
                 "-device", "virtio-serial-pci,id=kvmgt-vser,addr=11.0",
                 "-chardev", "socket,id=kvmgt-agent,path=%s,abstract=on" % self._abstract,
                 "-device", "virtserialport,bus=kvmgt-vser.0,chardev=kvmgt-agent,"
                            "name=org.kvmgt.agent"] + share + self.qemu_args)

    def start(self, wait=True):
        """Launch QEMU; with wait=True (default) return once the agent answers.
        start(wait=False) + wait_ready() boots several guests in parallel."""
        if self._proc is not None:
            raise GuestError("%s: already started" % self.name)
        provision()
        os.makedirs(self.dir, exist_ok=True)
        self._abstract = "kvmgt-%d-%s-%s" % (os.getpid(), os.path.basename(self.dir),
                                             os.urandom(4).hex())
        self._lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._lsock.bind("\0" + self._abstract)
        self._lsock.listen(1)
        argv = [QEMU] + self.command_line()
        with open(os.path.join(self.dir, "qemu.cmd"), "w") as f:
            f.write(" ".join(shlex.quote(a) for a in argv) + "\n")
        env = dict(os.environ, TMPDIR=self.dir, KVMGT_CACHE=CACHE)
        main = threading.current_thread() is threading.main_thread()
        self._t0 = time.monotonic()
        with open(self.qemu_log_path, "wb") as qlog:
            self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=qlog,
                                          stderr=subprocess.STDOUT, env=env, cwd=self.dir,
                                          preexec_fn=_pdeathsig if main else None)
        self.qemu_pid = self._proc.pid
        with _live_lock:
            _live.add(self)
        if self.lifetime:
            self._watchdog = threading.Timer(self.lifetime, self._expire)
            self._watchdog.daemon = True
            self._watchdog.start()
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self):
        deadline = self._t0 + self.boot_timeout
        try:
            self._lsock.settimeout(0.2)
            while self._sock is None:
                self._check_alive("while booting")
                if time.monotonic() > deadline:
                    raise GuestError("%s: QEMU did not connect to the agent socket" % self.name)
                try:
                    self._sock, _ = self._lsock.accept()
                except socket.timeout:
                    pass
            self._sock.setblocking(False)
            line = self._read_line(deadline, "boot")
            while not line.startswith(b"@@KVMGT-READY "):
                line = self._read_line(deadline, "boot")
            self.kernel_release = line.split()[1].decode()
            self.boot_seconds = time.monotonic() - self._t0
        except GuestError:
            self.kill()
            raise
        return self

    def __enter__(self):
        if self._proc is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.poweroff()
        return False

    def _expire(self):
        self._expired = True
        if self._proc is not None and self._proc.poll() is None:
            try:
                self._proc.kill()       # reaped by whoever touches the guest next
            except ProcessLookupError:
                pass

    def alive(self):
        return self._proc is not None and self._proc.poll() is None

    def kill(self):
        """SIGKILL QEMU (simulates a crash) and reap it."""
        if self._proc is not None:
            if self._proc.poll() is None:
                try:
                    self._proc.kill()
                except ProcessLookupError:
                    pass
            self._proc.wait()
        self._close()

    def poweroff(self, timeout=30):
        """Clean shutdown through the agent; kill QEMU if it does not exit in time.
        Always reaps QEMU.  Returns QEMU's exit status (None if it never ran)."""
        if self._proc is None:
            return None
        if self._proc.poll() is None and self._sock is not None and not self._dead:
            try:
                self._send("POWEROFF %d\n" % next(self._ids))
            except GuestError:
                pass
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        if self._proc.poll() is None:
            self.kill()
        else:
            self._proc.wait()
            self._close()
        return self._proc.returncode

    def _close(self):
        if self._watchdog is not None:
            self._watchdog.cancel()
        with _live_lock:
            _live.discard(self)
        for s in (self._sock, self._lsock):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass
        self._sock = self._lsock = None
        self._dead = True

    # ------------------------------------------------------------ commands
    def run(self, cmd, timeout=60):
        """Run cmd with /bin/sh in the guest; return (exit code, stdout+stderr as str).
        Raises CommandTimeout if it runs longer than timeout seconds (it is killed in
        the guest and the guest stays usable), GuestError if the guest is gone."""
        rc, out = self.run_bytes(cmd, timeout)
        return rc, out.decode("utf-8", "replace")

    def run_bytes(self, cmd, timeout=60):
        if self._sock is None or self._dead:
            raise GuestError("%s: guest is not running" % self.name)
        script = cmd.encode() if isinstance(cmd, str) else bytes(cmd)
        if len(script) > MAX_SCRIPT:
            raise ValueError("command longer than %d bytes: pass files via share_dir" % MAX_SCRIPT)
        tmo = max(1, int(-(-timeout // 1)))
        rid = "%d%s" % (next(self._ids), os.urandom(4).hex())
        t0 = time.monotonic()
        self._send("RUN %s %d %s\n" % (rid, tmo, base64.b64encode(script).decode()))
        deadline = time.monotonic() + tmo + 15 + len(script) / 2000.0
        begin = ("@@KVMGT-BEGIN %s " % rid).encode()
        while True:
            line = self._read_line(deadline, cmd)
            if line.startswith(begin):
                break
        n = int(line.split()[2])
        out = self._read_exact(n, deadline, cmd)
        end = self._read_line(deadline, cmd)
        parts = end.split()
        if len(parts) != 3 or parts[0] != b"@@KVMGT-END" or parts[1].decode() != rid:
            raise GuestError("%s: agent protocol error after %r: %r" % (self.name, cmd, end))
        rc = int(parts[2])
        if rc == 137 and time.monotonic() - t0 >= tmo - 0.5:
            raise CommandTimeout("%s: %r timed out after %ds" % (self.name, cmd, tmo),
                                 out.decode("utf-8", "replace"))
        return rc, out

    def check(self, cmd, timeout=60):
        """run() that raises GuestError on a non-zero exit code; returns the output."""
        rc, out = self.run(cmd, timeout)
        if rc != 0:
            raise GuestError("%s: %r exited %d:\n%s" % (self.name, cmd, rc, out))
        return out

    def bind_vfio(self, bdf, timeout=60):
        """Bind guest PCI device bdf ("0000:00:05.0") to vfio-pci (needs viommu=True).
        Returns the group's device node in the guest, e.g. "/dev/vfio/3"."""
        if not self.viommu:
            raise GuestError("%s: bind_vfio needs Guest(viommu=True) (the guest kernel "
                             "has no vfio no-IOMMU mode)" % self.name)
        d = "/sys/bus/pci/devices/" + bdf
        out = self.check("modprobe vfio-pci && test -d %(d)s && "
                         "{ [ ! -e %(d)s/driver ] || echo %(b)s > %(d)s/driver/unbind; } && "
                         "echo vfio-pci > %(d)s/driver_override && "
                         "echo %(b)s > /sys/bus/pci/drivers_probe && "
                         "g=$(readlink %(d)s/iommu_group) && test -c /dev/vfio/${g##*/} && "
                         "echo /dev/vfio/${g##*/}" % {"d": d, "b": bdf}, timeout)
        return out.strip().splitlines()[-1]

    def dmesg(self):
        """The guest kernel log so far (from the guest's dmesg; from the serial
        console log, warnings and above, if the guest no longer answers)."""
        if self._sock is not None and not self._dead and self.alive():
            try:
                rc, out = self.run("dmesg", timeout=30)
                if rc == 0:
                    return out
            except GuestError:
                pass
        return self.console()

    def console(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # ------------------------------------------------------------ transport
    def _send(self, s):
        data = s.encode()
        deadline = time.monotonic() + 30
        while data:
            self._check_alive("sending a request")
            _, w, _ = select.select([], [self._sock], [], 0.2)
            if not w:
                if time.monotonic() > deadline:
                    raise GuestError("%s: agent does not take requests" % self.name)
                continue
            try:
                data = data[self._sock.send(data):]
            except (BrokenPipeError, ConnectionResetError) as e:
                self._dead = True
                raise GuestError("%s: agent connection lost: %s" % (self.name, e))

    def _fill(self, deadline, what):
        r, _, _ = select.select([self._sock], [], [], 0.2)
        if r:
            try:
                chunk = self._sock.recv(65536)
            except BlockingIOError:
                return
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self._dead = True
                try:                        # QEMU closing the socket is QEMU exiting
                    self._proc.wait(3)
                except subprocess.TimeoutExpired:
                    pass
                self._check_alive("running %r" % (what,))
                raise GuestError("%s: agent connection closed (%r); qemu.log:\n%s"
                                 % (self.name, what, self._qemu_tail()))
            self._buf += chunk
            return
        self._check_alive("running %r" % (what,))
        if time.monotonic() > deadline:
            raise GuestError("%s: no answer from the guest agent (%r); console tail:\n%s"
                             % (self.name, what, self._console_tail()))

    def _read_line(self, deadline, what):
        while b"\n" not in self._buf:
            self._fill(deadline, what)
        line, self._buf = self._buf.split(b"\n", 1)
        return line

    def _read_exact(self, n, deadline, what):
        while len(self._buf) < n:
            self._fill(deadline, what)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def _check_alive(self, doing):
        if self._proc.poll() is not None:
            self._dead = True
            rc = self._proc.returncode
            self._close()
            why = " (killed: lifetime of %gs used up)" % self.lifetime if self._expired else ""
            raise GuestError("%s: QEMU exited (status %s)%s %s; qemu.log:\n%s\nconsole tail:\n%s"
                             % (self.name, rc, why, doing, self._qemu_tail(),
                                self._console_tail()))

    def _console_tail(self, n=25):
        return "\n".join(self.console().splitlines()[-n:])

    def _qemu_tail(self, n=10):
        try:
            with open(self.qemu_log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""


def start_all(guests):
    """Boot several guests in parallel; returns them once every agent answers.
    On failure every guest of the list is killed and the error re-raised."""
    try:
        for g in guests:
            g.start(wait=False)
        for g in guests:
            g.wait_ready()
    except BaseException:
        for g in guests:
            g.kill()
        raise
    return guests
