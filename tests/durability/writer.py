"""A writer process for the durability tests: it opens the app on the test's database and index and writes
through the services, reporting each step on stdout (one flushed line each) so the test knows when to let it
go, or where it was when it was killed.

    python -m tests.durability.writer projects ACCOUNT_ID COUNT    (waits for "go" on stdin)
    python -m tests.durability.writer hold-index-lock
    python -m tests.durability.writer hold-database-lock SECONDS
    python -m tests.durability.writer run import FILE | run reindex

The app's configuration arrives as JSON in REGISTRY_TEST_CONFIG (the test keys are added here).
"""
import json
import os
import sys
import time
import traceback
from datetime import date
from pathlib import Path

from sqlalchemy import event

from registry.access import SYSTEM, Actor
from registry.app import create_app
from registry.extensions import db
from registry.models import Account
from tests.conftest import TEST_KEYS


def say(*words) -> None:
    print(*words, flush=True)


def write_projects(account_id: int, count: int) -> None:
    """COUNT projects for the firm of this account, each through the create_project service."""
    from registry.services.projects import ProjectData, create_project

    account = db.session.get(Account, account_id)
    actor = Actor.of(account)
    db.session.rollback()
    say("ready")
    if sys.stdin.readline().strip() != "go":
        return
    written, failures = 0, []
    for n in range(count):
        data = ProjectData(
            category="remediation_construction", name=f"{account.username} 修复工程 {n:03d}",
            parcel_name=f"原化工厂地块 {n:03d}", division_code="370211", area_m2="12000", owner="土地储备中心",
            owner_uscc=None, former_industry="C2614", started_on=date(2024, 1, 1),
            contract_deadline=date(2024, 12, 31), completed_on=date(2024, 10, 1),
        )
        try:
            create_project(actor, data, [])
            written += 1
        except Exception as error:  # counted and reported: the test asserts there are none
            failures.append(f"{type(error).__name__}: {error}"[:300])
    say(json.dumps({"written": written, "failures": failures}))


def announce_steps() -> None:
    """Say when the database's write transaction begins and commits, and when the index writer commits."""
    from whoosh.writing import SegmentWriter

    from registry.database import WRITE_OPTION

    # the engine's own events: "begin-write" once BEGIN IMMEDIATE is sent, "commit" just before COMMIT is
    event.listen(db.engine, "begin", lambda conn: say(
        "begin-write" if conn.get_execution_options().get(WRITE_OPTION) else "begin-read"))
    event.listen(db.engine, "commit", lambda _conn: say("commit"))
    commit = SegmentWriter.commit

    def announced_commit(writer, *args, **kwargs):
        say("index-commit")
        result = commit(writer, *args, **kwargs)
        say("index-committed")
        return result

    SegmentWriter.commit = announced_commit


def run(command: str, args: list[str]) -> None:
    """Import FILE as `flask registry import` does (the service then drains the search outbox), or rebuild
    the search index as `flask search reindex` does."""
    from registry.search import rebuild_index
    from registry.exchange import import_jsonl

    announce_steps()
    if command == "import":
        lines = Path(args[0]).read_text(encoding="utf-8").splitlines()
        say("start")
        say("done", json.dumps(import_jsonl(SYSTEM, lines).created))
    elif command == "reindex":
        say("start")
        say("done", rebuild_index(procs=1))
    else:
        raise SystemExit(f"unknown command {command}")


def hold_index_lock() -> None:
    """Open a writer on the current index (taking its lock) and wait to be killed while holding it."""
    from registry.search import backend

    with backend().batch():
        say("locked")
        time.sleep(600)


def hold_database_lock(seconds: float) -> None:
    """Hold SQLite's write lock (a BEGIN IMMEDIATE transaction) for SECONDS, then commit."""
    import sqlite3

    path = db.engine.url.database
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    say("locked")
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()
    say("released")


def main() -> None:
    config = {**json.loads(os.environ["REGISTRY_TEST_CONFIG"]), **TEST_KEYS}
    command, args = sys.argv[1], sys.argv[2:]
    with create_app(config).app_context():
        if command == "run":
            try:
                run(args[0], args[1:])
            except BaseException:  # said, so the test fails with the reason, not only an exit status
                say("failed")
                traceback.print_exc()
                raise
        elif command == "projects":
            write_projects(int(args[0]), int(args[1]))
        elif command == "hold-index-lock":
            hold_index_lock()
        elif command == "hold-database-lock":
            hold_database_lock(float(args[0]))
        else:
            raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
