"""The audit trail page shows who did what and what changed; the database itself refuses to alter it."""
from datetime import UTC, datetime

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
    assert "qd-official" in page and "准予信用修复" in page and "信用修复日期" in page and "2026-11-26" in page


def test_the_trail_of_a_project_lists_the_review_and_withholding_events(as_qingdao, db, world):
    as_qingdao.post(f"/regulator/withhold/project/{world.qd.project}",
                    data={"ground": "internal", "explanation": "行政执法案卷信息"})
    page = as_qingdao.get(f"/regulator/audit/project/{world.qd.project}").get_data(as_text=True)
    assert "标记为不予公开" in page and "行政执法案卷信息" in page
    assert "变更前" in page and "变更后" in page


def test_the_trail_of_a_person_shows_reveals_but_never_the_number(as_qingdao, db, world):
    as_qingdao.post(f"/regulator/persons/{world.qd.person}/reveal")
    page = as_qingdao.get(f"/regulator/audit/person/{world.qd.person}").get_data(as_text=True)
    assert "查看完整身份证号码" in page and "370202********0458" in page
    assert "370202198403120458" not in page


def test_an_account_trail_is_for_the_national_administrator(client, db, world):
    hefei = world.accounts["hefei"]
    login_as(client, world, "admin")
    page = client.get(f"/regulator/audit/account/{hefei}").get_data(as_text=True)
    assert "创建账户" in page and "(340100)" in page and "监管部门" in page


def test_an_imported_record_shows_its_import_event(as_qingdao, db, world):
    page = as_qingdao.get(f"/regulator/audit/complaint/{world.qd.complaint}").get_data(as_text=True)
    assert "通过导入创建" in page  # the bulk import writes one event per created record
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


RAW_CODES = ["penalty_imported", "unit_id", "authority_division_code", "ban_lifetime", "decided_on", "['fine']",
             "False", "True", "ordinary", "When (UTC)"]


def test_the_trail_speaks_the_readers_language_never_raw_codes(as_qingdao, db, world):
    """The imported penalty's event, fields and values in words: 罚款, 否, the firm's name."""
    page = as_qingdao.get(f"/regulator/audit/penalty/{world.qd.penalty}").get_data(as_text=True)
    assert "通过导入创建" in page and "处罚类别" in page and "罚款" in page and "终身禁止从业" in page
    assert "<td>否</td>" in page and "一般" in page and "青岛环境修复有限公司" in page and "北京时间" in page
    assert [code for code in RAW_CODES if code in page] == []
    english = as_qingdao.get(f"/regulator/audit/penalty/{world.qd.penalty}?lang=en").get_data(as_text=True)
    assert "Created by import" in english and "Penalty kinds" in english and "<td>No</td>" in english
    assert "Beijing time" in english and "fine" in english and "['fine']" not in english


def test_the_trail_shows_times_in_beijing_time(as_qingdao, db, world):
    """An event at 17:19 UTC happened at 01:19 the next day in Beijing, and says so."""
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "penalty",
                                                       AuditEvent.record_id == world.qd.penalty))
    with _db.engine.begin() as connection:  # the log refuses UPDATE: add a dated event beside it instead
        connection.execute(sa.insert(AuditEvent.__table__).values(
            at=datetime(2026, 12, 2, 17, 19, tzinfo=UTC), actor="system", action="penalty_repaired", record_type="penalty",
            record_id=event.record_id, after={"repaired_on": "2026-12-03"}))
    _db.session.rollback()  # end the test's read, so the page sees the new row
    page = as_qingdao.get(f"/regulator/audit/penalty/{world.qd.penalty}").get_data(as_text=True)
    assert "2026-12-03 01:19:00（北京时间）" in page and "2026-12-02 17:19" not in page

