"""Which process a worker is, so that a new process under the same name can tell whether the
old one is still alive: its host name and an identity that survives pid reuse (the pid and
the process's start time since boot, read from /proc on Linux)."""
from __future__ import annotations

import os
import socket
from pathlib import Path


def this_host() -> str:
    return socket.gethostname()


def process_identity(pid: int | None = None) -> str:
    """``PID:START`` for the process ``pid`` (default: this one); START is its start time in
    clock ticks since boot where /proc has it, else left out."""
    pid = os.getpid() if pid is None else pid
    start = _start_ticks(pid)
    return f"{pid}:{start}" if start is not None else str(pid)


def is_running(identity: str) -> bool:
    """Whether the process ``identity`` (from ``process_identity`` on this host) still runs; a
    zombie, or another process that took its pid since, is not it."""
    pid_text, _, start = identity.partition(":")
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    stat = _stat_fields(pid)
    if stat is None:  # no /proc: the pid is all we know
        return True
    return stat[0] != "Z" and (not start or stat[19] == start)


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat from its third field (state) on; None without /proc or the process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # the command name may hold spaces


def _start_ticks(pid: int) -> str | None:
    stat = _stat_fields(pid)
    return stat[19] if stat else None
