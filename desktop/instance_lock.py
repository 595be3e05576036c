"""One program per database: a lock file beside the database naming the process that holds it.

A crash (or a power cut) leaves the file behind; it does not block the next start,
because the process it names is no longer running. The window takes the lock; restore
refuses while another process holds it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from models.i18n import Message, msg

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str


class LockedError(RuntimeError):
    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message

    @classmethod
    def for_holder(cls, db_path: Path, holder: Holder) -> LockedError:
        lock = lock_path(db_path)
        if holder.host != socket.gethostname():
            return cls(msg(
                "数据库 {path} 正在另一台电脑（{host}）上由巾帼枢纽使用。请在那台电脑上关闭程序后再打开。"
                "如果确定那边已经关闭，请删除锁文件 {lock}。", path=db_path, host=holder.host, lock=lock))
        return cls(msg(
            "巾帼枢纽已经打开了数据库 {path}（进程 {pid}）。请切换到已打开的窗口，或先关闭它。"
            "如果确定没有在运行，请删除锁文件 {lock}。", path=db_path, pid=holder.pid, lock=lock))


def lock_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


class InstanceLock:
    def __init__(self, db_path: Path):
        self.db_path = Path(db_path).expanduser().resolve()
        self.path = lock_path(self.db_path)
        self.held = False

    def _read(self) -> Holder | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Holder(int(data["pid"]), str(data["host"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return Holder(0, socket.gethostname())  # unreadable or half-written: a dead holder

    def holder(self) -> Holder | None:
        """The live process, other than this one, that holds the lock (None: free or stale)."""
        found = self._read()
        if found is None or (found.pid == os.getpid() and found.host == socket.gethostname()):
            return None
        if found.host == socket.gethostname() and not pid_alive(found.pid):
            return None
        return found

    def acquire(self) -> InstanceLock:
        """Take the lock, or raise ``LockedError`` naming who has it; a stale lock is taken over."""
        content = json.dumps({"pid": os.getpid(), "host": socket.gethostname()})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # opening the database says what is wrong with the folder
        for _attempt in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self.holder()
                if holder is not None:
                    raise LockedError.for_holder(self.db_path, holder) from None
                log.info("removing stale lock %s", self.path)
                try:
                    self.path.unlink()
                except FileNotFoundError:
                    pass
                continue
            except OSError as e:  # a read-only folder: nobody else can write there either
                log.warning("lock file %s not created: %s", self.path, e)
                return self
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(content)
            self.held = True
            return self
        holder = self._read() or Holder(0, "")
        raise LockedError.for_holder(self.db_path, holder)

    def release(self) -> None:
        if self.held:
            self.held = False
            try:
                self.path.unlink()
            except OSError as e:
                log.warning("lock file %s not removed: %s", self.path, e)

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
