"""Writing an export file safely: all or nothing, with Chinese messages for the user's faults."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from models.i18n import Message, msg

from ..file_safety import output_problem
from ..temporaries import make_temp, remove_stale_temporaries

log = logging.getLogger(__name__)


class ExportError(Exception):
    """A problem the user can fix (bad period, unknown name, unwritable path)."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


class Cancelled(Exception):
    """The user cancelled a running export; nothing was written."""


class Job:
    """Progress reporting and cancellation for a long export.

    The worker calls ``step(done, total)`` now and then; it raises ``Cancelled``
    once ``cancel()`` was called (from any thread).
    """

    def __init__(self, progress: Callable[[int, int], None] | None = None):
        self._progress = progress
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def step(self, done: int, total: int) -> None:
        if self._cancelled:
            raise Cancelled
        if self._progress:
            self._progress(done, total)


def os_error_message(error: OSError, path: Path) -> Message:
    if error.errno == errno.ENOSPC:
        return msg("磁盘空间不足，无法写入 {path}。请清理磁盘或换一个位置保存。", path=path)
    if isinstance(error, PermissionError) or error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return msg(
            "无法写入 {path}：没有写入权限，或文件正在被其他程序（如 Excel、WPS）打开。"
            "请关闭该文件或换一个位置保存。",
            path=path,
        )
    if isinstance(error, FileNotFoundError | NotADirectoryError):
        return msg("保存位置 {folder} 不存在，请选择一个存在的文件夹。", folder=path.parent)
    if isinstance(error, IsADirectoryError):
        return msg("{path} 是一个文件夹，请给出文件名。", path=path)
    return msg("无法写入 {path}：{reason}。请换一个位置保存。", path=path, reason=error.strerror or error)


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary file beside ``path``; it replaces ``path`` only if the block succeeds.

    Any exception (including ``Cancelled``) removes the temporary file, so a failed or
    cancelled export leaves neither a half-written file nor a damaged earlier one.
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(msg("{path} 是一个文件夹，请给出文件名。", path=path))
    refused = output_problem(path)
    if refused is not None:
        raise ExportError(refused)
    remove_stale_temporaries(path.parent, f".{path.name}.")
    try:
        tmp = make_temp(path)
    except OSError as e:
        raise ExportError(os_error_message(e, path)) from e
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ExportError(os_error_message(e, path)) from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
