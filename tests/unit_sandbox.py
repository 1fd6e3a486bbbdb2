"""Run a command under the kernel restrictions a systemd unit's sandbox options impose, without
systemd: the system-call filter (``SystemCallFilter=``, ``SystemCallErrorNumber=``,
``SystemCallArchitectures=native``), ``MemoryDenyWriteExecute=``, ``RestrictAddressFamilies=``,
``NoNewPrivileges=`` and ``CapabilityBoundingSet=``, read from the unit file itself.

The filters are built the way systemd builds them (libseccomp, one filter per option, the
system-call groups expanded by ``systemd-analyze syscall-filter``), so the real engines can be
checked against the shipped unit on a machine where systemd is not running:

    python -m tests.unit_sandbox deploy/rostguiden.service -- python run.py ask "..."

The mount and namespace options (ProtectSystem=, PrivateTmp=, PrivateUsers=, DeviceAllow= ...)
are not reproduced: they need systemd (or a container manager) to set them up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_KILL_PROCESS = 0x80000000
SCMP_CMP_NE = 1
SCMP_CMP_MASKED_EQ = 7
PROT_WRITE = 0x2
PROT_EXEC = 0x4
SHM_EXEC = 0o100000
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
AF_UNIX = 1


def scmp_act_errno(number: int) -> int:
    return 0x00050000 | (number & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def read_service(unit: Path) -> dict[str, list[str]]:
    """The [Service] settings of a unit file: each key with its values in order."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in unit.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def expand(names: Iterable[str]) -> set[str]:
    """System-call names, with every @group expanded as systemd expands it."""
    result: set[str] = set()
    for name in names:
        if not name.startswith("@"):
            result.add(name)
            continue
        listing = subprocess.run(
            ["systemd-analyze", "syscall-filter", "--no-pager", name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        members = [
            line.strip()
            for line in listing.splitlines()[1:]
            if line.strip() and not line.strip().startswith("#")
        ]
        result |= expand(members)
    return result


def allowed_syscalls(values: list[str]) -> set[str] | None:
    """SystemCallFilter= lines as one allow list (None: no filter). The first line sets the
    kind: an allow list, or (starting with ~) everything but a deny list."""
    if not values:
        return None
    if values[0].startswith("~"):
        raise ValueError("a unit that starts with a deny list is not supported here")
    allowed: set[str] = set()
    for value in values:
        deny = value.startswith("~")
        names = expand(value.lstrip("~").split())
        allowed = allowed - names if deny else allowed | names
    return allowed


class _Seccomp:
    def __init__(self) -> None:
        name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
        self.lib = ctypes.CDLL(name, use_errno=True)
        self.lib.seccomp_init.restype = ctypes.c_void_p
        self.lib.seccomp_init.argtypes = [ctypes.c_uint32]
        self.lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        self.lib.seccomp_rule_add_array.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.POINTER(_ArgCmp),
        ]
        self.lib.seccomp_load.argtypes = [ctypes.c_void_p]
        self.lib.seccomp_release.argtypes = [ctypes.c_void_p]

    def number(self, name: str) -> int | None:
        nr = int(self.lib.seccomp_syscall_resolve_name(name.encode()))
        return None if nr < 0 else nr

    def load(
        self, default: int, rules: list[tuple[int, str, list[tuple[int, int, int, int]]]]
    ) -> None:
        ctx = self.lib.seccomp_init(default)
        if not ctx:
            raise OSError("seccomp_init failed")
        try:
            for action, name, cmps in rules:
                nr = self.number(name)
                if nr is None:
                    continue  # not a system call of this architecture
                array = (_ArgCmp * max(1, len(cmps)))(*[_ArgCmp(*c) for c in cmps])
                rc = self.lib.seccomp_rule_add_array(ctx, action, nr, len(cmps), array)
                if rc < 0 and rc != -errno.EEXIST:
                    raise OSError(-rc, f"seccomp rule for {name}")
            rc = self.lib.seccomp_load(ctx)
            if rc < 0:
                raise OSError(-rc, "seccomp_load")
        finally:
            self.lib.seccomp_release(ctx)


def _error_number(settings: dict[str, list[str]]) -> int:
    value = (settings.get("SystemCallErrorNumber") or [""])[-1]
    if not value:
        return SCMP_ACT_KILL_PROCESS
    return scmp_act_errno(int(value) if value.isdigit() else getattr(errno, value))


def _yes(settings: dict[str, list[str]], key: str) -> bool:
    return (settings.get(key) or ["no"])[-1].lower() in {"yes", "true", "1", "on"}


def apply(unit: Path) -> list[str]:
    """Apply the unit's kernel restrictions to this process (and what it executes); returns
    what was applied, one line each."""
    settings = read_service(unit)
    seccomp = _Seccomp()
    applied: list[str] = []
    # A filter with a system-call filter implies no_new_privs (as systemd does); set first, since
    # the filters loaded next may deny prctl.
    if _yes(settings, "NoNewPrivileges") or "SystemCallFilter" in settings:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
        applied.append("NoNewPrivileges")
    if "CapabilityBoundingSet" in settings and not settings["CapabilityBoundingSet"][-1]:
        libc = ctypes.CDLL(None, use_errno=True)
        cap = 0
        while libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0 or ctypes.get_errno() == errno.EPERM:
            cap += 1  # EPERM: not root, nothing to drop; EINVAL: past the last capability
            if cap > 63:
                break
        applied.append(f"capability bounding set emptied ({cap} capabilities)")
    if _yes(settings, "MemoryDenyWriteExecute"):
        wx = PROT_WRITE | PROT_EXEC
        deny = scmp_act_errno(errno.EPERM)
        seccomp.load(
            SCMP_ACT_ALLOW,
            [
                (deny, "mmap", [(2, SCMP_CMP_MASKED_EQ, wx, wx)]),
                (deny, "mmap2", [(2, SCMP_CMP_MASKED_EQ, wx, wx)]),
                (deny, "mprotect", [(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC)]),
                (deny, "pkey_mprotect", [(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC)]),
                (deny, "shmat", [(2, SCMP_CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC)]),
            ],
        )
        applied.append("MemoryDenyWriteExecute")
    families = " ".join(settings.get("RestrictAddressFamilies", [])).split()
    if families:
        if families != ["AF_UNIX"]:
            raise ValueError("only RestrictAddressFamilies=AF_UNIX is emulated here")
        refuse = scmp_act_errno(errno.EAFNOSUPPORT)
        seccomp.load(SCMP_ACT_ALLOW, [(refuse, "socket", [(0, SCMP_CMP_NE, AF_UNIX, 0)])])
        applied.append(f"RestrictAddressFamilies={' '.join(families)}")
    allowed = allowed_syscalls(settings.get("SystemCallFilter", []))
    if allowed is not None:
        seccomp.load(_error_number(settings), [(SCMP_ACT_ALLOW, n, []) for n in sorted(allowed)])
        applied.append(f"SystemCallFilter: {len(allowed)} system calls allowed")
    return applied


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m tests.unit_sandbox UNIT -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    if os.geteuid() != 0:  # an unprivileged process may load a filter only with no_new_privs
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    for line in apply(Path(argv[0])):
        print(f"unit_sandbox: {line}", file=sys.stderr)
    command = argv[2:]
    os.execvp(command[0], command)
    return 127  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
