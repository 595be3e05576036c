"""Temporary files beside their targets, named after the process that writes them.

Exports, backups, restores, demo databases and pre-upgrade copies are first written to a hidden
file beside the target and renamed into place when complete, so a crash never leaves a
half-written target. A process killed midway leaves its hidden file behind, full of personal
data; the name carries the writer's process id (``.NAME.~PID[-TAG].tmp``), so a later run can
tell a stale file (its process is gone) from one another program is still writing, and
removes the stale ones.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

from .instance_lock import pid_alive

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"
_TEMP = re.compile(r"^\.(?P<name>.+)\.~(?P<pid>\d+)(?:-[\w]+)?\.tmp(?:-journal|-wal|-shm)?$")


def temp_path(target: Path, tag: str = "") -> Path:
    """The hidden temporary name beside ``target`` for this process."""
    target = Path(target)
    suffix = f"-{tag}" if tag else ""
    return target.with_name(f".{target.name}.~{os.getpid()}{suffix}{TEMP_SUFFIX}")


def make_temp(target: Path) -> Path:
    """A new, uniquely named empty temporary file beside ``target`` (several writers may
    prepare the same target at once)."""
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.~{os.getpid()}-", suffix=TEMP_SUFFIX,
                                dir=target.parent)
    os.close(fd)
    return Path(name)


def stale_temporaries(folder: Path, prefix: str = ".") -> list[Path]:
    """Temporary files in ``folder`` (whose names start with ``prefix``) left by processes
    that are no longer running."""
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.startswith(prefix)]
    except OSError:
        return []
    stale = []
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match and int(match["pid"]) != os.getpid() and not pid_alive(int(match["pid"])):
            stale.append(Path(entry.path))
    return stale


def remove_stale_temporaries(folder: Path, prefix: str = ".") -> list[Path]:
    """Remove what ``stale_temporaries`` finds; a file that cannot be removed is logged and left."""
    removed = []
    for path in stale_temporaries(folder, prefix):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as e:
            log.warning("stale temporary file %s not removed: %s", path, e)
            continue
        log.info("removed a temporary file left by a stopped process: %s", path)
        removed.append(path)
    return removed
