"""What encryption at rest costs: the People page and a 50,000-row import, with and without it.

Run: ``python tests/bench/bench_encryption.py [--people 100000] [--rows 50000] [--keep DIR]``.

"With" is the program as it is: the sensitive columns (models.schema.ENCRYPTED_COLUMNS) stored
AES-GCM encrypted and decrypted as rows are read. The floor, measured in the same run on the same
register, is a copy of that database whose sensitive columns were decrypted into clear text, read
and written by a process in which ``models.crypto.encrypt`` and ``decrypt`` are the identity (so
the fields store and return clear text; keyed hashes are still computed, as lookups need them).
The switch exists only in this bench; the program has no way to store clear values.

People page (a 100,000-person ``jinguo demo``): the first page shown, a deep page (the end of the
whole list), a name search (王) and the count of the whole list. Import: the 50,000-row sheet of
bench_import.py into a new database. Each variant runs three times (``--rounds``), alternating, in
processes of its own; the fastest of each figure's medians counts (the machine's noise only ever
adds). Target: encrypted within 1.3x of the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT, ROOT / "tests" / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

TARGET_RATIO = 1.3
ADMIN = ("admin", "admin-2025")  # the demo's administrator
PAGE_FIGURES = ("first_page", "deep_page", "search_surname", "count_all")


def clear_text_floor() -> None:
    """The floor's switch, in its own process only: the fields store and return clear text."""
    from models import crypto

    crypto.encrypt = lambda text, context: text
    crypto.decrypt = lambda token, context: token


def _unlock(path: Path | str):
    from desktop.context import build_context
    from models import auth

    ctx = build_context(path)
    ctx.user = auth.authenticate(*ADMIN)
    return ctx


def _rewrite_columns(path: Path, to_clear: bool) -> int:
    """Store every sensitive value of ``path`` encrypted (what the program writes; the demo's bulk
    inserts may not do it yet) or, for the floor, in clear. Returns how many values changed."""
    from models import crypto
    from models.db import database, execute_many
    from models.entities import Person
    from models.schema import ENCRYPTED_COLUMNS

    ctx = _unlock(path)
    changed = 0
    try:
        tables = set(database.get_tables())
        with database.atomic():
            for table, names in ENCRYPTED_COLUMNS:
                if table not in tables:
                    continue
                for name in names:
                    context = f"{table}.{name}"
                    rows = database.execute_sql(f'SELECT "id", "{name}" FROM "{table}" '
                                                f'WHERE "{name}" IS NOT NULL AND "{name}" <> \'\'')
                    updates = []
                    for row_id, value in rows.fetchall():
                        if value == crypto.EMPTY_OBJECT:
                            continue  # an empty change set is stored as it is (it tells nothing)
                        if crypto.is_encrypted(value) == to_clear:
                            new = crypto.unseal(value, context) if to_clear else crypto.seal(value, context)
                            updates.append((new, row_id))
                    if updates:
                        execute_many(f'UPDATE "{table}" SET "{name}" = ? WHERE "id" = ?', updates)
                        changed += len(updates)
            if not to_clear:  # the keyed hashes lookups find people by
                execute_many('UPDATE "person" SET "id_hash" = ?, "phone_hash" = ? WHERE "id" = ?',
                             [(crypto.id_hash(number), crypto.phone_hash(phone), person_id)
                              for person_id, number, phone in Person.select(
                                  Person.id, Person.id_number, Person.phone).tuples()])
        database.execute_sql("VACUUM")
    finally:
        ctx.close()
    return changed


# -- the measuring child ------------------------------------------------------------------------
def page_figures(path: Path) -> dict[str, float]:
    from bench_people import PageDriver, median_ms
    from PySide6.QtWidgets import QApplication

    from models.person_listing import PersonFilter

    app = QApplication.instance() or QApplication(sys.argv)
    ctx = _unlock(path)
    try:
        clerk = PageDriver(app, ctx)
        figures = {"first_page": median_ms(clerk.open_page, clerk.close_pages)}
        clerk.close_pages()
        clerk.open_page()
        page = clerk.page
        figures["deep_page"] = median_ms(clerk.scroll_to_end, clerk.fresh(""))
        figures["search_surname"] = median_ms(clerk.search("王"), clerk.reset_search)
        clerk.reset_search()
        listing = page.model.listing
        figures["count_all"] = median_ms(lambda: listing.count(PersonFilter()))
        assert page.model.total > 1000
        clerk.close_pages()
    finally:
        ctx.close()
    return figures


def import_figure(sheet: Path, folder: Path) -> dict[str, float]:
    from bench_import import import_seconds

    db = folder / f"import-{os.getpid()}.db"
    try:
        total, steps, _counts = import_seconds(sheet, db)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    return {"import_total": total * 1000, **{f"import_{k}": v * 1000 for k, v in steps.items()}}


def child(args: argparse.Namespace) -> None:
    os.environ.update(QT_QPA_PLATFORM="offscreen")
    if args.variant == "clear":
        clear_text_floor()
    if args.what == "page":
        figures = page_figures(Path(args.db))
    else:
        figures = import_figure(Path(args.sheet), Path(args.folder))
    print("FIGURES " + json.dumps(figures))


def run_child(what: str, variant: str, env: dict, **paths: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", what, "--variant", variant]
    for key, value in paths.items():
        command += [f"--{key}", str(value)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    line = next(line for line in done.stdout.splitlines() if line.startswith("FIGURES "))
    return json.loads(line[len("FIGURES "):])


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: min(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the register and sheet in (reused)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", dest="what", choices=("page", "import"))
    parser.add_argument("--variant", choices=("encrypted", "clear"))
    parser.add_argument("--db")
    parser.add_argument("--sheet")
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.what:
        child(args)
        return

    folder = args.keep or Path(tempfile.mkdtemp(prefix="jinguo-bench-enc-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(folder / "data"),
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests" / "bench")]))
    os.environ.update(QT_QPA_PLATFORM="offscreen", JINGUO_DATA_DIR=str(folder / "data"))
    encrypted, clear = folder / f"demo-{args.people}.db", folder / f"demo-{args.people}-clear.db"
    if not encrypted.exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "desktop", "demo", "--db", str(encrypted), "--people",
                        str(args.people)], env=env, check=True, capture_output=True)
        sealed = _rewrite_columns(encrypted, to_clear=False)
        print(f"register: {args.people} people made in {time.perf_counter() - started:.0f} s "
              f"({sealed} values the demo left in clear encrypted afterwards)")
    if not clear.exists():
        shutil.copy(encrypted, clear)
        print(f"floor register: {_rewrite_columns(clear, to_clear=True)} values decrypted into clear text")
    sheet = folder / f"people-{args.rows}.xlsx"
    if not sheet.exists():
        from bench_import import build_sheet

        build_sheet(sheet, args.rows)

    page_runs: dict[str, list] = {"encrypted": [], "clear": []}
    import_runs: dict[str, list] = {"encrypted": [], "clear": []}
    for _ in range(args.rounds):
        for variant, db in (("clear", clear), ("encrypted", encrypted)):
            page_runs[variant].append(run_child("page", variant, env, db=db))
        for variant in ("clear", "encrypted"):
            import_runs[variant].append(run_child("import", variant, env, sheet=sheet, folder=folder))

    results = []
    print(f"{'figure':<22}{'encrypted ms':>14}{'clear floor ms':>16}{'ratio':>8}")
    for figures in (
        (best(page_runs["encrypted"]), best(page_runs["clear"]), PAGE_FIGURES),
        (best(import_runs["encrypted"]), best(import_runs["clear"]),
         ("import_total", "import_read", "import_plan", "import_apply")),
    ):
        with_, without, names = figures
        for name in names:
            ratio = with_[name] / without[name] if without[name] else float("inf")
            judged = name in PAGE_FIGURES or name == "import_total"
            if judged:
                results.append(ratio <= TARGET_RATIO)
            verdict = ("OK" if ratio <= TARGET_RATIO else "MISSED") if judged else "(part)"
            print(f"{name:<22}{with_[name]:>14.1f}{without[name]:>16.1f}{ratio:>8.2f} {verdict}")
    print(f"within {TARGET_RATIO}x of the clear-text floor: {sum(results)}/{len(results)} "
          f"{'OK' if all(results) else 'MISSED'}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
