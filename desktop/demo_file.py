"""A demo database file: ``jinguo demo`` and the setup guide's 先看演示数据.

The file is built under a hidden temporary name and renamed when complete: a killed build never
leaves a full database without passwords (which every command would treat as its
administrator's). The window builds it in a child process (``build_in_child``), since the models
are bound to the database the window has open.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from pathlib import Path

from models.errors import UserError
from models.i18n import msg

from . import paths
from .backup import remove_database_files
from .database import DatabaseOpenError, open_database
from .demo import DemoError, create_demo_users, fill_demo
from .reports.output import os_error_message
from .temporaries import remove_stale_temporaries, temp_path

# In the data folder; its name is what the window's title shows (巾帼枢纽 — 演示数据.db).
DEMO_FILE_NAME = "演示数据.db"


def demo_database_path() -> Path:
    return paths.data_dir() / DEMO_FILE_NAME


def create_demo_file(db_path: Path, people: int = 2000, seed: int = 2025,
                     progress: Callable[[str], None] | None = None
                     ) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
    """Write a demo county into the new file ``db_path``: the rows written per entity and the
    demo operators (username, role, password). DemoError says why it could not be written."""
    tmp = temp_path(db_path, "demo")
    try:
        db = open_database(tmp)
    except DatabaseOpenError as e:
        raise DemoError(e.message) from e
    try:
        try:
            counts = fill_demo(people=people, seed=seed, progress=progress)
            users = create_demo_users()
        finally:
            db.close()
        os.replace(tmp, db_path)
    except OSError as e:
        raise DemoError(os_error_message(e, db_path)) from e
    finally:
        remove_database_files(tmp)  # nothing once renamed; the unfinished copy otherwise
    return counts, users


def _child(db_path: str, conn) -> None:
    """The child process: build the file and send back ("ok", None), ("refused", why) or
    ("failed", traceback)."""
    try:
        create_demo_file(Path(db_path))
    except DemoError as e:
        conn.send(("refused", str(e.message)))
    except BaseException:
        conn.send(("failed", traceback.format_exc()))
        raise
    else:
        conn.send(("ok", None))
    finally:
        conn.close()


def build_in_child(db_path: Path, check_cancelled: Callable[[], None] = lambda: None,
                   poll_s: float = 0.1) -> None:
    """Build the demo file in a child process (the window's own models stay bound to its
    database). ``check_cancelled`` is called while waiting; whatever it raises stops the child
    and removes its hidden copy. UserError says why the file could not be made."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, name="demo", daemon=True, args=(str(db_path), sender))
    process.start()
    sender.close()
    try:
        while not receiver.poll(poll_s):
            check_cancelled()
            if not process.is_alive():
                if receiver.poll(0):  # it sent its answer just before ending
                    break
                raise UserError(msg("生成演示数据的进程意外结束了，请再试一次。"))
        outcome, detail = receiver.recv()
    except BaseException:
        process.terminate()
        process.join(5)
        remove_stale_temporaries(db_path.parent, f".{db_path.name}")  # the child's hidden copy
        raise
    finally:
        process.join(5)
        receiver.close()
    if outcome == "refused":
        raise UserError(msg("没能生成演示数据：{reason}", reason=detail))
    if outcome == "failed":
        raise RuntimeError(f"the demo database could not be built:\n{detail}")
