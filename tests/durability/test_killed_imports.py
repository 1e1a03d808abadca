"""An import killed with SIGKILL, 30 times at seeded moments (half spread over its run, before, while and after
it writes; half aimed inside its write transaction), leaves SQLite intact and the import whole or absent, with an audit log that
matches the data; then the same import, left to finish, lands whole."""
import random
import shutil
import sqlite3
import time

import pytest

from tests.durability.conftest import bulk_lines, firm_code, write_lines

KILLS = 30
FIRMS = 400  # 400 firms, 800 persons, 1,200 projects: 2,400 lines, about 0.3 s of writing here (unloaded)
IMPORTED = {"unit": FIRMS, "person": 2 * FIRMS, "project": 3 * FIRMS}


def outcome(path) -> str:
    """Open the database after a kill: intact, and the import wholly there or wholly absent, audited exactly."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = {table: sorted(row[0] for row in conn.execute(f"SELECT id FROM {table}"))  # noqa: S608
                for table in IMPORTED}
        audited = {table: sorted(row[0] for row in conn.execute(
            "SELECT record_id FROM audit_event WHERE action = ?", (f"{table}_imported",))) for table in IMPORTED}
        imports = conn.execute("SELECT count(*) FROM audit_event WHERE action = 'import'").fetchone()[0]
        refs = {row[0] for row in conn.execute("SELECT ref FROM project")}
        codes = {row[0] for row in conn.execute("SELECT uscc FROM unit")}
    finally:
        conn.close()
    assert audited == rows  # one <table>_imported event per record there, none for a record absent
    counts = {table: len(ids) for table, ids in rows.items()}
    if counts == {table: 0 for table in IMPORTED}:
        assert imports == 0
        return "absent"
    assert counts == IMPORTED, "a partial import"
    assert codes == {firm_code(n) for n in range(FIRMS)}
    assert refs == {f"IMP-{n}-{k}" for n in range(FIRMS) for k in range(3)}
    assert imports == 1
    return "whole"


def phase_of(words: list[str]) -> str:
    """Where the writer was when it died, from what it had said: before its write transaction, inside it
    (BEGIN IMMEDIATE sent, COMMIT not yet), committing, or after."""
    if "done" in words:
        return "after"
    if "commit" in words:
        return "committing"
    if "begin-write" in words:
        return "while writing"
    return "before"


@pytest.mark.sqlite_only(reason="SQLite's journal and file are under test (PostgreSQL has neither)")
def test_an_import_killed_thirty_times_is_whole_or_absent_and_audited_exactly(
        writers, database_template, tmp_path, capsys):
    source = write_lines(tmp_path / "load.jsonl", bulk_lines(0, FIRMS))
    target = tmp_path / "kills.sqlite3"
    writer = writers.runner(SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")

    def fresh_target() -> None:
        """A fresh copy of the empty, migrated database (no journal left from the last attempt)."""
        for suffix in ("", "-wal", "-shm"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        shutil.copyfile(database_template[1], target)

    # three imports left to finish set the scale of the moments to kill at (the quickest: a run slowed by a
    # loaded machine would set moments after the end of the next)
    runs = []
    for _ in range(3):
        fresh_target()
        runs.append(writer.run(f"import {source}")[1])
        assert outcome(target) == "whole"
    full_run = min(run["done"] for run in runs)
    writing = min(run["commit"] - run["begin-write"] for run in runs)
    # half the kills spread over the whole run, half aimed inside its write transaction (after it began), which
    # is part of it only, so that many land mid-write however loaded the machine is
    choice = random.Random(86)
    spread = [("start", full_run * 1.2 * k / (KILLS // 2)) for k in range(KILLS // 2)]
    aimed = [("begin-write", writing * choice.random()) for _ in range(KILLS - KILLS // 2)]
    moments = choice.sample(spread + aimed, KILLS)
    started = time.monotonic()
    tally: dict[tuple[str, str], int] = {}
    wal_left = []
    for after_word, delay in moments:
        fresh_target()
        words, _ = writer.run(f"import {source}", kill_after=delay, heard_first=after_word)
        phase = phase_of(words)
        wal = target.with_name(target.name + "-wal")
        if phase == "while writing" and wal.exists():
            wal_left.append(wal.stat().st_size)  # the torn transaction's pages, left in the WAL by the kill
        result = outcome(target)
        if phase in ("before", "while writing"):
            assert result == "absent"
        if phase == "after":
            assert result == "whole"
        tally[phase, result] = tally.get((phase, result), 0) + 1
    kill_seconds = time.monotonic() - started

    assert sum(tally.values()) == KILLS
    assert tally.get(("while writing", "absent"), 0) >= 5  # the kills did land mid-write, many times
    # then the interrupted import is run again and left to finish: it lands whole, audited once
    writer.run(f"import {source}")
    assert outcome(target) == "whole"
    with capsys.disabled():
        print(f"\n[durability] import of {sum(IMPORTED.values())} records ({full_run:.2f} s) killed {KILLS} times "
              f"in {kill_seconds:.1f} s: " + ", ".join(f"{p} -> {r}: {n}" for (p, r), n in sorted(tally.items()))
              + f"; WAL left by mid-write kills up to {max(wal_left, default=0):,} bytes; final import whole")
