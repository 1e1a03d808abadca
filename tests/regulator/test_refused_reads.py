"""A read never writes: a query that finds a record out of the actor's reach only raises; the refusal is audited
once, by `access.deny`, in a transaction of its own, when the page answers."""
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from registry import access
from registry.access import AccessDenied, Actor
from registry.models import AuditEvent
from registry.queries import practitioner, regulator
from tests.regulator.conftest import actor_for, audit_count, login_as


@pytest.fixture
def commits():
    """Every commit any session makes while the test runs."""
    seen = []

    def count(session):
        seen.append(session)

    event.listen(Session, "after_commit", count)
    yield seen
    event.remove(Session, "after_commit", count)


def test_a_query_refuses_without_writing_and_deny_audits_once(db, world, commits):
    qingdao = actor_for(db, world, "qingdao")
    hefei_firm = Actor(account_id=None, label="合肥 firm", role="unit", unit_id=world.hf.unit)
    before = audit_count(db)
    commits.clear()
    with pytest.raises(AccessDenied) as regulator_refused:
        regulator.project_view(qingdao, world.hf.project)
    with pytest.raises(AccessDenied) as firm_refused:
        practitioner.project_detail(hefei_firm, "青岛-P1")
    assert (regulator_refused.value.status, firm_refused.value.status) == (403, 404)
    assert commits == [] and audit_count(db) == before  # the queries wrote nothing and committed nothing

    access.deny(regulator_refused.value)
    access.deny(regulator_refused.value)  # a refusal is audited once, whoever passes it on
    assert len(commits) == 1 and audit_count(db, "access_denied") == 1
    event_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access_denied"))
    assert (event_row.actor, event_row.record_type, event_row.record_id, event_row.division_code, event_row.detail) == (
        "qd-official", "project", world.hf.project, "340102", "read refused (403)")


def test_the_page_audits_the_refused_read_once(client, db, world):
    login_as(client, world, "qingdao")
    before = audit_count(db, "access_denied")
    assert client.get(f"/regulator/projects/{world.hf.project}").status_code == 403
    assert audit_count(db, "access_denied") == before + 1
