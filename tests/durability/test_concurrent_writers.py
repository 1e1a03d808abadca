"""Eight firms' processes each record 150 projects at the same moment on one SQLite file
(or one PostgreSQL database when DATABASE_URL is set), through the create_project service: every project is
there, none failed (no "database is locked"), and the audit log holds exactly one project_created event per
project. The search index is not built yet, so each write leaves its outbox row for the first search. And a
write waits out another process that holds SQLite's write lock for longer than busy_timeout."""
import json
import time

import pytest
from sqlalchemy import func, select, text

from registry.extensions import db
from registry.models import AuditEvent, Project, Unit
from registry.services.registration import anonymous, register_firm
from tests.factories import create, make_uscc, unit_record
from tests.practitioner.conftest import PASSWORD

PROCESSES = 8
WRITES_EACH = 150


def register_firms(count: int) -> list:
    """Firms registered through the registration service, as they would on the site."""
    return [
        register_firm(anonymous("test", None), uscc=make_uscc("370200", 900 + n), name=f"并发修复公司{n}号",
                      division_code="370202", legal_representative="张三", contact_email=f"firm{n}@example.cn",
                      password=PASSWORD).account
        for n in range(count)
    ]


def test_eight_processes_writing_at_once_lose_nothing_and_never_see_a_locked_database(app, writers, capsys):
    accounts = register_firms(PROCESSES)
    processes = [writers.start("projects", str(account.id), str(WRITES_EACH)) for account in accounts]
    for process in processes:
        writers.wait_for(process, "ready")
    started = time.monotonic()
    for process in processes:  # all eight are open and waiting: let them go together
        process.stdin.write("go\n")
        process.stdin.flush()
    reports = [json.loads(process.communicate()[0].strip().splitlines()[-1]) for process in processes]
    seconds = time.monotonic() - started

    failures = [failure for report in reports for failure in report["failures"]]
    assert failures == []
    assert not any("locked" in failure for failure in failures)
    assert [report["written"] for report in reports] == [WRITES_EACH] * PROCESSES

    db.session.rollback()
    per_firm = dict(db.session.execute(
        select(Unit.uscc, func.count(Project.id)).join(Project, Project.unit_id == Unit.id).group_by(Unit.uscc)
    ).all())
    assert per_firm == {account.username: WRITES_EACH for account in accounts}
    expected_names = {f"{account.username} 修复工程 {n:03d}" for account in accounts for n in range(WRITES_EACH)}
    assert set(db.session.scalars(select(Project.name))) == expected_names

    events = db.session.execute(
        select(AuditEvent.record_id, AuditEvent.actor).where(AuditEvent.action == "project_created")
    ).all()
    project_ids = dict(db.session.execute(
        select(Project.id, Unit.uscc).join(Unit, Unit.id == Project.unit_id)).all())
    assert len(events) == PROCESSES * WRITES_EACH
    assert sorted(record_id for record_id, _ in events) == sorted(project_ids)
    assert all(actor == project_ids[record_id] for record_id, actor in events)  # each by its own firm
    assert db.session.scalar(select(func.count()).select_from(Project)) == PROCESSES * WRITES_EACH
    with capsys.disabled():
        print(f"\n[durability] {PROCESSES} processes x {WRITES_EACH} writes: {len(project_ids)} projects, "
              f"{len(events)} audit events, {len(failures)} failures, {seconds:.1f} s")


@pytest.mark.sqlite_only(reason="SQLite's own lock and busy timeout are under test")
def test_a_write_waits_out_a_lock_held_longer_than_the_busy_timeout(app, writers):
    busy_timeout = db.session.execute(text("PRAGMA busy_timeout")).scalar()
    db.session.rollback()
    holder = writers.start("hold-database-lock", str(busy_timeout / 1000 + 1.5))
    writers.wait_for(holder, "locked")
    report = create(unit_record(make_uscc("370200", 950), name="等待写锁的修复公司"))  # waits for the holder
    assert report.created == {"unit": 1}
    assert holder.communicate()[0].split() == ["released"]  # the holder did finish first, and cleanly
    assert db.session.scalar(select(Unit.name).where(Unit.name == "等待写锁的修复公司"))
