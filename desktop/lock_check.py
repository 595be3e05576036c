"""Is SQLite still holding its locks on the open database? (Linux; defence in depth.)

The file dialogs and the program's own checks never open the database outside SQLite (see
``file_safety``), but a library, a plug-in or a future change might. While a connection is
open in WAL mode SQLite holds a shared lock on the database file (which tells another
process it is not the last user) and one on the ``-shm`` file; if this process holds none on
either any more, another process could checkpoint and delete the write-ahead log under us.
``locks_lost`` tells, from ``/proc/locks``; where that file does not exist (Windows, macOS) it
answers None: Windows locks belong to a handle and are not lost this way.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PROC_LOCKS = Path("/proc/locks")


def _locked_inodes(pid: int) -> set[int] | None:
    try:
        text = PROC_LOCKS.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    inodes = set()
    for line in text.splitlines():
        # "1: POSIX  ADVISORY  READ 3355 fe:00:2179767 128 128" (blocked waiters start with "->")
        fields = line.split()
        if "->" in fields[:2] or len(fields) < 6 or fields[1] != "POSIX":
            continue
        try:
            if int(fields[4]) == pid:
                inodes.add(int(fields[5].rsplit(":", 1)[1]))
        except ValueError:
            continue
    return inodes


def locks_lost(db_path: Path) -> bool | None:
    """True when this process has the WAL database ``db_path`` open through SQLite but holds
    no lock on the database file or on its ``-shm`` file; None when that cannot be known here."""
    db_path = Path(db_path)
    try:
        inodes = {os.stat(db_path).st_ino, os.stat(db_path.with_name(db_path.name + "-shm")).st_ino}
    except OSError:
        return None  # no shared-memory file: not in WAL mode, or not open
    held = _locked_inodes(os.getpid())
    if held is None:
        return None
    return not inodes <= held
