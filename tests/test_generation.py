"""The data generation: every committed write bumps it (a service, the import, the CLI, a sign-in, a write
that goes around the ORM), a rolled-back write or a read does not, and the Beijing day is part of it."""
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select, text, update

from registry.database import begin_write
from registry.extensions import db
from registry.generation import READER_NAME, current
from registry.models import Unit
from registry.rules.errors import RuleViolation
from registry.services.complaint_filing import PUBLIC, file_complaint
from tests.factories import create, login, project_record, unit_record


@pytest.fixture
def project_ref(app):
    unit = unit_record()
    create(unit, project_record(unit["uscc"], ref="GEN-1"))
    return "GEN-1"


def test_a_service_write_bumps_the_generation_and_a_refused_one_does_not(project_ref):
    before = current()
    with pytest.raises(RuleViolation):
        file_complaint(PUBLIC, project_ref, "太短", address="192.0.2.1")  # refused: rolled back
    assert current().number == before.number
    file_complaint(PUBLIC, project_ref, "该项目的修复效果评估报告中的检测数据与现场情况明显不符。", address="192.0.2.1")
    after = current()
    assert after.number == before.number + 1
    assert after.changed_at >= before.changed_at


def test_an_import_bumps_the_generation_once_and_the_same_file_again_does_not(app):
    before = current().number
    unit = unit_record()
    create(unit)
    assert current().number == before + 1
    create(unit)  # idempotent: the same record again changes nothing, so nothing is written
    assert current().number == before + 1


def test_the_import_command_bumps_the_generation(runner, tmp_path):
    before = current().number
    path = tmp_path / "units.jsonl"
    path.write_text(json.dumps(unit_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(args=["registry", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert current().number > before


def test_a_sign_in_is_a_write(client):
    before = current().number
    login(client, "nobody", "not the password", refused=True)  # the failed attempt is counted and audited
    db.session.rollback()  # a fresh read, not the test's earlier transaction
    assert current().number == before + 1


def test_a_write_around_the_orm_bumps_it_and_a_read_that_commits_does_not(project_ref):
    before = current().number
    db.session.execute(select(Unit.name)).all()
    db.session.commit()
    assert current().number == before
    begin_write()
    db.session.connection().execute(update(Unit.__table__).values(address="测试市新路1号"))  # Core, not the ORM
    db.session.commit()
    assert current().number == before + 1
    begin_write()
    db.session.connection().execute(update(Unit.__table__).values(address="测试市新路2号"))
    db.session.rollback()
    assert current().number == before + 1


def test_the_beijing_day_is_part_of_the_generation(app):
    app.config["TODAY"] = "2026-11-26"
    today = current()
    app.config["TODAY"] = "2026-11-27"  # midnight in Beijing: publicity periods end without any write
    tomorrow = current()
    assert tomorrow.number == today.number and tomorrow.tag != today.tag
    assert tomorrow.last_modified >= datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # 00:00 on the 27th in Beijing


def test_the_bump_is_the_last_statement_of_a_writing_transaction(app):
    """The generation row is the last lock a writer takes (after the search index's hook), so a writer holding
    it never waits for another lock."""
    statements, committed = [], []
    record = lambda _c, _cur, statement, *_a: None if committed else statements.append(statement)  # noqa: E731
    note_commit = lambda _conn: committed.append(True)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    event.listen(db.engine, "commit", note_commit)
    try:
        create(unit_record())  # a new public firm: an outbox row (and on PostgreSQL its index row, before the commit)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
        event.remove(db.engine, "commit", note_commit)
    assert any(statement.startswith("INSERT INTO search_outbox") for statement in statements)
    if db.engine.dialect.name == "postgresql":  # the index is written in the same transaction, before the bump
        assert any("search_document" in statement for statement in statements[:-1])
    assert statements[-1].lstrip().upper().startswith("UPDATE DATA_GENERATION"), statements[-3:]


def test_a_conditional_request_survives_the_server_dropping_the_generation_readers_connection(client):
    """PostgreSQL reads the generation on a connection of its own, without the pool's ping: a connection the server
    ended (a restart, a failover) fails that read once, and the read is made again on a new one."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads the generation through the app's own pool")
    tag = client.get("/api/v1/units").headers["ETag"]
    db.session.rollback()
    with db.engine.connect() as connection:
        ended = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = :name"), {"name": READER_NAME}).scalar()
    assert ended == 1
    answer = client.get("/api/v1/units", headers={"If-None-Match": tag})
    assert answer.status_code == 304
    assert client.get("/api/v1/units").headers["ETag"] == tag


def _ends(app, work) -> list[str]:
    """How the transactions of an app context opened afresh (as a served request's is) end: "commit" or
    "rollback", in order, with `work` run in it (a LookupError it raises ends the context, as a failed view's)."""
    ends = []
    listeners = [(name, lambda _connection, name=name: ends.append(name)) for name in ("commit", "rollback")]
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    try:
        with app.app_context():
            work()
    except LookupError:
        ends.append("raised")
    finally:
        for name, listener in listeners:
            event.remove(db.engine, name, listener)
    return ends


def test_a_request_that_only_read_commits_and_its_connection_keeps_its_prepared_statements(app):
    """On PostgreSQL a request's transaction that wrote nothing ends with COMMIT: psycopg forgets every statement
    it prepared on a connection at a ROLLBACK, so a served request never ran one prepared."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps its statements whatever ends the transaction")
    create(unit_record(name="预备语句测试环保有限公司"))
    connections = []

    def read_often():
        for _ in range(8):  # psycopg prepares a statement at its sixth run on a connection
            assert db.session.scalars(select(Unit.name).where(Unit.name == "预备语句测试环保有限公司")).all()
        connections.append(db.session.connection().connection.dbapi_connection)

    assert _ends(app, read_often) == ["commit"]
    connection = connections[0]  # back in the pool, idle
    try:
        prepared = connection.execute("SELECT statement FROM pg_prepared_statements").fetchall()
    finally:
        connection.rollback()
    assert any("FROM unit" in statement for (statement,) in prepared), prepared


@pytest.mark.parametrize("kind", ["an update through Core", "an object changed but not flushed", "an error"])
def test_a_request_that_wrote_or_failed_still_rolls_back(app, kind):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's transactions end as the session ends them")
    create(unit_record(name="回滚测试环保有限公司"))

    def write():
        unit = db.session.scalars(select(Unit).where(Unit.name == "回滚测试环保有限公司")).one()
        if kind == "an update through Core":  # not through a service: nothing commits it
            db.session.connection().execute(update(Unit.__table__).where(Unit.__table__.c.id == unit.id)
                                            .values(address="不应保存的地址"))
        elif kind == "an object changed but not flushed":
            unit.address = "不应保存的地址"
        else:
            db.session.connection().execute(update(Unit.__table__).where(Unit.__table__.c.id == unit.id)
                                            .values(address="不应保存的地址"))
            raise LookupError("the view failed")

    assert _ends(app, write) == (["rollback", "raised"] if kind == "an error" else ["rollback"])
    db.session.rollback()
    assert db.session.scalars(select(Unit.address).where(Unit.name == "回滚测试环保有限公司")).one() != "不应保存的地址"
