"""Issue 8 item 6: an import killed with SIGKILL, 30 times at seeded moments spread over its run (before,
while and after it writes), leaves SQLite intact and the import whole or absent, with an audit log that
matches the data; then the same import, left to finish, lands whole."""
import json
import os
import random
import shutil
import signal
import sqlite3
import time
from datetime import date, timedelta

from stdnum.cn import uscc

from tests.durability.conftest import sqlite_only
from tests.factories import make_id_number

KILLS = 30
FIRMS = 600  # 600 firms, 1,200 persons, 1,800 projects: 3,600 lines, about half a second of writing here
IMPORTED = {"unit": FIRMS, "person": 2 * FIRMS, "project": 3 * FIRMS}


def firm_code(n: int) -> str:
    body = f"9137020066{n:07d}"
    return body + uscc.calc_check_digit(body)


def id_number(n: int) -> str:
    birth = date(1990, 1, 1) + timedelta(days=n // 1000)
    return make_id_number("370202", birth.strftime("%Y%m%d"), n % 1000)


def import_lines() -> list[dict]:
    """A regulator's bulk load: firms with their staff and projects, each project naming its manager."""
    lines = []
    for n in range(FIRMS):
        code = firm_code(n)
        lines.append({"kind": "unit", "uscc": code, "name": f"批量导入修复公司{n}号", "division_code": "370202",
                      "categories": ["remediation_construction"],
                      "commitment": {"signed_at": "2025-01-06T09:30:00+08:00", "signer": "张三"}})
        lines += [{"kind": "person", "id_number": id_number(2 * n + k), "name": f"导入人员{n}-{k}",
                   "unit_uscc": code} for k in range(2)]
        lines += [{"kind": "project", "ref": f"IMP-{n}-{k}", "unit_uscc": code, "category": "remediation_construction",
                   "name": f"导入地块修复工程{n}-{k}", "division_code": "370211", "area_m2": 1000 + k,
                   "people": [{"id_number": id_number(2 * n), "role": "responsible_manager"}]} for k in range(3)]
    return lines


def outcome(path) -> str:
    """Open the database after a kill: intact, and the import wholly there or wholly absent, audited exactly."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = {table: {row[0] for row in conn.execute(f"SELECT id FROM {table}")} for table in IMPORTED}  # noqa: S608
        audited = {table: [row[0] for row in conn.execute(
            "SELECT record_id FROM audit_event WHERE action = ?", (f"{table}_imported",))] for table in IMPORTED}
        imports = conn.execute("SELECT count(*) FROM audit_event WHERE action = 'import'").fetchone()[0]
        refs = {row[0] for row in conn.execute("SELECT ref FROM project")}
        codes = {row[0] for row in conn.execute("SELECT uscc FROM unit")}
    conn.close()
    counts = {table: len(ids) for table, ids in rows.items()}
    # one <table>_imported event per record there, none for a record absent
    assert {table: sorted(ids) for table, ids in audited.items()} == {t: sorted(ids) for t, ids in rows.items()}
    if counts == {table: 0 for table in IMPORTED}:
        assert imports == 0
        return "absent"
    assert counts == IMPORTED, "a partial import"
    assert codes == {firm_code(n) for n in range(FIRMS)}
    assert refs == {f"IMP-{n}-{k}" for n in range(FIRMS) for k in range(3)}
    assert imports == 1
    return "whole"


def phase_of(lines: list[str]) -> str:
    """Where the child was when it died, from what it had said: before its write transaction, inside it
    (BEGIN IMMEDIATE sent, COMMIT not yet), committing, or after."""
    words = [line.split()[0] for line in lines if line.strip()]
    if "done" in words:
        return "after"
    if "commit" in words:
        return "committing"
    if "begin-write" in words:
        return "while writing"
    return "before"


@sqlite_only
def test_an_import_killed_thirty_times_is_whole_or_absent_and_audited_exactly(
        writers, database_template, tmp_path, capsys):
    source = tmp_path / "load.jsonl"
    source.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in import_lines()), encoding="utf-8")
    empty = database_template[1]
    target = tmp_path / "kills.sqlite3"
    server = writers.start("import-server", SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    writers.wait_for(server, "ready")

    def attempt(delay: float | None) -> tuple[list[str], float]:
        """One import child on a fresh copy of the empty database; killed `delay` s after it is ready."""
        for leftover in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(empty, target)
        server.stdin.write(f"import {source}\n")
        server.stdin.flush()
        said, pid = [], None
        while pid is None or "start" not in said:
            words = server.stdout.readline().split()
            assert words, "the import server ended"
            pid = int(words[1]) if words[0] == "child" else pid
            said.append(words[0])
        ready = time.monotonic()
        if delay is not None:
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)  # it may have finished already: still ours, a zombie until reaped
            killed = time.monotonic()
        server.stdin.write("reap\n")
        server.stdin.flush()
        lines = []
        for line in server.stdout:
            if line.startswith("exited"):
                break
            lines.append(line)
            if line.startswith("done"):
                finished = time.monotonic()
        if delay is None:
            assert lines[-1].startswith("done")
        return lines, (killed if delay is not None else finished) - ready

    # one import left to finish sets the scale of the moments to kill at
    _, full_run = attempt(None)
    assert outcome(target) == "whole"
    moments = random.Random(86).sample([full_run * 1.2 * k / KILLS for k in range(KILLS)], KILLS)
    started = time.monotonic()
    tally: dict[tuple[str, str], int] = {}
    wal_left = []
    for delay in moments:
        lines, _ = attempt(delay)
        phase = phase_of(lines)
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
    lines, _ = attempt(None)
    assert outcome(target) == "whole"
    with capsys.disabled():
        print(f"\n[durability] import of {sum(IMPORTED.values())} records ({full_run:.2f} s) killed {KILLS} times "
              f"in {kill_seconds:.1f} s: " + ", ".join(f"{p} -> {r}: {n}" for (p, r), n in sorted(tally.items()))
              + f"; WAL left by mid-write kills up to {max(wal_left, default=0):,} bytes; final import whole")

