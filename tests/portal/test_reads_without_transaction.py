"""The public firm, person and project pages (and the API's firm and person) read on PostgreSQL without a
transaction (`registry.database.without_transaction`): no BEGIN before their statements, no COMMIT after. A write
on such a connection is refused, a service called there still writes in a transaction of its own, and SQLite
reads in its transaction as before. Observed at the driver: the transaction status after each statement."""
import json

import pytest
from sqlalchemy import event, func, select, update

from registry.access import SYSTEM
from registry.database import plan_with_values, without_transaction
from registry.exchange import import_records
from registry.extensions import db
from registry.models import Person, Unit
from tests.factories import create, make_id_number, make_uscc, person_record, project_record, unit_record

FIRM = make_uscc("370200", 951)
ENGINEER = make_id_number("370202", "19840312", 951)


def _in_transaction(cursor) -> bool:
    """Whether the driver's connection was inside a transaction after the statement it just ran."""
    connection = cursor.connection
    if db.engine.dialect.name == "postgresql":
        from psycopg.pq import TransactionStatus
        return connection.info.transaction_status != TransactionStatus.IDLE
    return connection.in_transaction


@pytest.fixture
def watched():
    """After each statement: its first word, and whether it ran inside a transaction."""
    seen = []

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split(None, 1)[0].upper(), _in_transaction(cursor)))

    event.listen(db.engine, "after_cursor_execute", after)
    yield seen
    event.remove(db.engine, "after_cursor_execute", after)


def test_public_pages_read_without_a_transaction_on_postgresql(app, client, watched):
    create(unit_record(FIRM, name="青岛无事务修复有限公司"), person_record(FIRM, ENGINEER, name="郑工程师"),
           project_record(FIRM, "NT-1", name="无事务地块修复工程",
                          people=[{"id_number": ENGINEER, "role": "responsible_manager"}]))
    public_id = db.session.scalar(select(Person.public_id).where(Person.name == "郑工程师"))
    db.session.remove()
    postgresql = db.engine.dialect.name == "postgresql"
    for url, shown in ((f"/units/{FIRM}", "青岛无事务修复有限公司"), (f"/api/v1/units/{FIRM}", "青岛无事务修复有限公司"),
                       (f"/persons/{public_id}", "郑工程师"), (f"/api/v1/persons/{public_id}", "郑工程师"),
                       ("/projects/NT-1", "无事务地块修复工程")):
        watched.clear()
        response = client.get(url)
        text = (json.dumps(response.get_json(), ensure_ascii=False) if url.startswith("/api/")
                else response.get_data(as_text=True))
        assert response.status_code == 200 and shown in text, url
        selects = [inside for word, inside in watched if word in ("SELECT", "WITH")]
        assert selects, url
        # PostgreSQL: every statement ran on its own; SQLite: inside the read's transaction, as before
        assert selects == [not postgresql] * len(selects), (url, watched)
    watched.clear()  # a page not marked keeps its transaction
    assert client.get("/search?q=无事务").status_code == 200
    assert any(inside for word, inside in watched if word in ("SELECT", "WITH"))


def test_a_write_in_a_view_without_transaction_is_refused_and_changes_nothing(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads in a transaction: without_transaction changes nothing there")
    create(unit_record(FIRM, name="青岛原名修复有限公司"))
    db.session.remove()

    @without_transaction
    def renames():
        db.session.execute(update(Unit).where(Unit.uscc == FIRM).values(name="青岛改名修复有限公司"))

    @without_transaction
    def plans():
        plan_with_values(db.session)

    with app.test_request_context("/"):
        with pytest.raises(RuntimeError, match="only services write"):
            renames()
        db.session.remove()
        with pytest.raises(RuntimeError, match="needs a transaction"):
            plans()
        db.session.remove()
    assert db.session.scalar(select(Unit.name).where(Unit.uscc == FIRM)) == "青岛原名修复有限公司"


def test_a_service_called_there_writes_in_a_transaction_of_its_own(app, watched):
    create(unit_record(FIRM, name="青岛先读后写修复有限公司"))
    db.session.remove()
    added = make_uscc("370200", 952)

    @without_transaction
    def reads_then_imports() -> int:
        before = db.session.scalar(select(func.count()).select_from(Unit))
        import_records(SYSTEM, [unit_record(added, name="青岛后写修复有限公司")])
        return db.session.scalar(select(func.count()).select_from(Unit)) - before

    with app.test_request_context("/"):
        watched.clear()
        assert reads_then_imports() == 1
        db.session.remove()
    writes = [inside for word, inside in watched if word in ("INSERT", "UPDATE", "DELETE")]
    assert writes and all(writes)
    assert db.session.scalar(select(Unit.name).where(Unit.uscc == added)) == "青岛后写修复有限公司"
