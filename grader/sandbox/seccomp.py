"""A small seccomp deny-list for the local backend, as a classic BPF program for ``bwrap --seccomp``.

Deliberately simple: refuse syscalls that a student program never needs and that widen the kernel attack
surface (mount, ptrace, kernel modules, keyrings, bpf, io_uring, namespaces...) with EPERM, reject
foreign syscall ABIs (i386, x32) outright, and allow everything else. Namespaces are the real walls;
this only trims what is reachable through them. x86-64 only: on other architectures the backend runs
without the filter and says so in ``check()``.
"""

from __future__ import annotations

import errno
import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000

# x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl).
DENIED_X86_64 = {
    "ptrace": 101,
    "syslog": 103,
    "acct": 163,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "sethostname": 170,
    "setdomainname": 171,
    "init_module": 175,
    "delete_module": 176,
    "quotactl": 179,
    "lookup_dcookie": 212,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "unshare": 272,
    "perf_event_open": 298,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
}
# clone3 answers ENOSYS so libc falls back to clone(), whose flags bwrap's --disable-userns already governs.
ENOSYS_X86_64 = {"clone3": 435}

_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
_SECCOMP_RET_KILL_PROCESS = 0x80000000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_ALLOW = 0x7FFF0000


def supported() -> bool:
    return platform.machine() == "x86_64"


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def deny_list_program() -> bytes:
    """The filter as raw ``struct sock_filter`` entries, the format bwrap reads from its --seccomp fd."""
    prog = [
        _insn(_BPF_LD_W_ABS, 4),  # seccomp_data.arch
        _insn(_BPF_JEQ_K, AUDIT_ARCH_X86_64, jt=1, jf=0),
        _insn(_BPF_RET_K, _SECCOMP_RET_KILL_PROCESS),
        _insn(_BPF_LD_W_ABS, 0),  # seccomp_data.nr
        _insn(_BPF_JGE_K, X32_SYSCALL_BIT, jt=0, jf=1),
        _insn(_BPF_RET_K, _SECCOMP_RET_ERRNO | errno.EPERM),
    ]
    for nr in sorted(DENIED_X86_64.values()):
        prog += [_insn(_BPF_JEQ_K, nr, jt=0, jf=1), _insn(_BPF_RET_K, _SECCOMP_RET_ERRNO | errno.EPERM)]
    for nr in sorted(ENOSYS_X86_64.values()):
        prog += [_insn(_BPF_JEQ_K, nr, jt=0, jf=1), _insn(_BPF_RET_K, _SECCOMP_RET_ERRNO | errno.ENOSYS)]
    prog.append(_insn(_BPF_RET_K, _SECCOMP_RET_ALLOW))
    return b"".join(prog)
