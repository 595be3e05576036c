"""One clerk saving people over and over, in a process of its own (not a test module).

``python -m tests.clerk_worker URL CLERK SAVES IDS SEED`` saves SAVES times a person picked from
IDS (comma-separated): reads her as a form would, pauses a little (the clerk typing), writes a
note naming the clerk and the save. Prints one JSON line per save: {"id", "note", "version"}
for an accepted save (the version it created), {"id", "refused": message} for a refused one.
"""

from __future__ import annotations

import dataclasses
import json
import random
import sys
import time

from desktop.database import open_database
from models.auth import authenticate
from models.entities import Person
from models.errors import StaleRecord
from models.people import PersonData, save_person

PASSWORD = "clerk-pass-2025"  # the clerks' password in tests/desktop/test_several_clerks.py


def main(url: str, clerk: str, saves: int, ids: list[int], seed: int) -> int:
    db = open_database(url)
    user = authenticate(clerk, PASSWORD)  # her login unlocks the data key
    rng = random.Random(seed)
    out = sys.stdout
    for n in range(saves):
        person_id = rng.choice(ids)
        person = Person.get_by_id(person_id)  # the form opens
        time.sleep(rng.random() * 0.004)  # the clerk types
        note = f"{clerk}-{n}"
        try:
            saved = save_person(dataclasses.replace(PersonData.from_person(person), notes=note),
                                user, person)
        except StaleRecord as e:
            out.write(json.dumps({"id": person_id, "refused": str(e.message)}, ensure_ascii=False) + "\n")
            continue
        out.write(json.dumps({"id": person_id, "note": note, "version": saved.version}) + "\n")
    out.flush()
    db.close()
    return 0


if __name__ == "__main__":
    url, clerk, saves, ids, seed = sys.argv[1:6]
    sys.exit(main(url, clerk, int(saves), [int(i) for i in ids.split(",")], int(seed)))
