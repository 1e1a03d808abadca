"""A writer process for the durability tests: it opens the app on the test's database and writes through the
services, reporting each step on stdout (one line each, flushed) so the test knows when to let it go or kill it.

    python -m tests.durability.writer projects UNIT_ACCOUNT_ID COUNT   (waits for "go" on stdin)
    python -m tests.durability.writer import FILE
    python -m tests.durability.writer import-server              (then "import FILE" lines on stdin)
    python -m tests.durability.writer drain | reindex | hold-index-lock

The app's configuration arrives as JSON in REGISTRY_TEST_CONFIG (the test keys are added here).
"""
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import event

from registry import create_app
from registry.extensions import db
from registry.models import Account
from registry.services.audit import SYSTEM, Actor
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


def import_file(path: str) -> None:
    """Import FILE as `flask registry import` does, saying when the write transaction begins and commits."""
    from registry.database import WRITE_OPTION
    from registry.services.exchange import import_jsonl

    # the engine's own events: "begin-write" once BEGIN IMMEDIATE is sent, "commit" just before COMMIT is
    event.listen(db.engine, "begin", lambda conn: say(
        "begin-write" if conn.get_execution_options().get(WRITE_OPTION) else "begin-read"))
    event.listen(db.engine, "commit", lambda _conn: say("commit"))
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    say("start")
    report = import_jsonl(SYSTEM, lines)
    say("done", json.dumps(report.created))


def import_server(config: dict) -> None:
    """Fork one child per "import FILE" line read from stdin, each a whole process with its own app, so a
    test can SIGKILL imports many times without paying the interpreter's start-up each time. Each child is
reaped when the next stdin line ("reap") arrives."""
    create_app(config)  # imports what the factory imports lazily; it never connects, so children share nothing
    import registry.services.exchange  # noqa: F401
    say("ready")
    for line in sys.stdin:
        path = line.split(maxsplit=1)[1].strip()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                with create_app(config).app_context():
                    import_file(path)
                code = 0
            finally:
                os._exit(code)
        say("child", pid)
        # reaped only when the test says so: until then the pid stays this child's (a zombie at worst), so a
        # late SIGKILL can never reach a process that reused the number
        sys.stdin.readline()
        _, status = os.waitpid(pid, 0)
        say("exited", os.waitstatus_to_exitcode(status))


def index_work(what: str) -> None:
    """Drain the search outbox, or rebuild the index, saying when the index writer starts and commits."""
    from whoosh.writing import SegmentWriter

    from registry.search import drain_outbox, rebuild_index

    commit = SegmentWriter.commit

    def announced_commit(writer, *args, **kwargs):
        say("index-commit")
        result = commit(writer, *args, **kwargs)
        say("index-committed")
        return result

    SegmentWriter.commit = announced_commit
    say("start")
    if what == "drain":
        say("done", drain_outbox())
    else:
        say("done", rebuild_index(procs=1))


def hold_index_lock() -> None:
    """Open a writer on the current index (taking its lock) and wait to be killed while holding it."""
    from registry.search import backend

    with backend().batch():
        say("locked")
        time.sleep(600)


def main() -> None:
    config = {**json.loads(os.environ["REGISTRY_TEST_CONFIG"]), **TEST_KEYS}
    if sys.argv[1] == "import-server":
        import_server(config)
        return
    app = create_app(config)
    with app.app_context():
        command, args = sys.argv[1], sys.argv[2:]
        if command == "projects":
            write_projects(int(args[0]), int(args[1]))
        elif command == "import":
            import_file(args[0])
        elif command in ("drain", "reindex"):
            index_work(command)
        elif command == "hold-index-lock":
            hold_index_lock()
        else:
            raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
