"""The audit trail page shows who did what and what changed; the database itself refuses to alter it."""
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from registry.extensions import db as _db
from registry.models import AuditEvent
from tests.regulator.conftest import login_as


def test_the_trail_of_a_penalty_shows_who_when_what_and_the_change(as_qingdao, db, world):
    as_qingdao.post(f"/regulator/penalties/{world.qd.penalty}/repair",
                    data={"applied_on": "2026-11-20", "grounds": "已整改", "materials": ["application_letter"]})
    as_qingdao.post(f"/regulator/penalties/{world.qd.penalty}/repair/grant")
    page = as_qingdao.get(f"/regulator/audit/penalty/{world.qd.penalty}").get_data(as_text=True)
    assert "审计记录" in page and "青岛环罚〔2026〕1号" in page
    assert "qd-official" in page and "penalty_repaired" in page and "repaired_on" in page and "2026-11-26" in page


def test_the_trail_of_a_project_lists_the_review_and_withholding_events(as_qingdao, db, world):
    as_qingdao.post(f"/regulator/withhold/project/{world.qd.project}",
                    data={"ground": "internal", "explanation": "行政执法案卷信息"})
    page = as_qingdao.get(f"/regulator/audit/project/{world.qd.project}").get_data(as_text=True)
    assert "marked_non_disclosed" in page and "行政执法案卷信息" in page
    assert "变更前" in page and "变更后" in page


def test_the_trail_of_a_person_shows_reveals_but_never_the_number(as_qingdao, db, world):
    as_qingdao.post(f"/regulator/persons/{world.qd.person}/reveal")
    page = as_qingdao.get(f"/regulator/audit/person/{world.qd.person}").get_data(as_text=True)
    assert "id_number_revealed" in page and "370202********0458" in page
    assert "370202198403120458" not in page


def test_an_account_trail_is_for_the_national_administrator(client, db, world):
    hefei = world.accounts["hefei"]
    login_as(client, world, "admin")
    page = client.get(f"/regulator/audit/account/{hefei}").get_data(as_text=True)
    assert "account_created" in page and "340100" in page


def test_an_imported_record_shows_its_import_event(as_qingdao, db, world):
    page = as_qingdao.get(f"/regulator/audit/complaint/{world.qd.complaint}").get_data(as_text=True)
    assert "complaint_imported" in page  # the bulk import writes one event per created record
    assert "该记录尚无审计事件" not in page


def test_the_database_refuses_to_update_or_delete_audit_events(db, world):
    event_id = db.session.scalar(select(AuditEvent.id).limit(1))
    assert event_id is not None
    for statement in (f"UPDATE audit_event SET actor = 'someone else' WHERE id = {event_id}",
                      f"DELETE FROM audit_event WHERE id = {event_id}"):
        with pytest.raises(sa.exc.DatabaseError):
            with _db.engine.begin() as connection:
                connection.exec_driver_sql(statement)
    _db.session.expire_all()
    assert _db.session.get(AuditEvent, event_id).actor != "someone else"
