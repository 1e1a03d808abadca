"""Credit repair as an application: the regulator records the date applied, the grounds
and the materials received, sees exactly what will leave the public view, and grants or refuses with a
reason; every application and decision is kept and audited; the desk's queue lists those pending."""
from datetime import date

import pytest
from sqlalchemy import select

from registry.extensions import db as _db
from registry.models import AuditEvent, Penalty, RepairApplication
from registry.queries.repair import pending_repair_applications
from registry.rules.errors import RuleViolation
from registry.services.repair import record_repair_application
from tests.regulator.conftest import actor_for
from tests.regulator.test_penalties import APPLICATION, publicly_visible


def actions(penalty_id: int) -> list[str]:
    return list(_db.session.scalars(select(AuditEvent.action).where(AuditEvent.record_type == "penalty",
                                                                    AuditEvent.record_id == penalty_id)
                                    .order_by(AuditEvent.id)))


def test_an_application_is_recorded_then_confirmed_showing_what_leaves_public_view(as_qingdao, db, world):
    penalty_id = world.qd.penalty
    form = as_qingdao.get(f"/regulator/penalties/{penalty_id}/repair").get_data(as_text=True)
    assert "登记信用修复申请" in form and "信用修复申请书" in form and "信用承诺书" in form
    response = as_qingdao.post(f"/regulator/penalties/{penalty_id}/repair", data=APPLICATION, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "申请已登记。请核对将停止公示的内容，然后作出决定。" in page
    assert "2026-11-20" in page and "已缴清罚款并完成整改，申请信用修复" in page
    assert "信用修复申请书、信用承诺书、履行行政处罚决定的证明材料" in page
    # exactly what leaves public view: the penalty on the firm's public page, the API and open data, the count
    assert "青岛环罚〔2026〕1号" in page and "青岛环境修复有限公司" in page
    assert "公开接口以及两种开放数据文件" in page and "公开处罚数" in page
    assert publicly_visible(penalty_id, date(2026, 11, 26))  # recording an application changes nothing public
    as_qingdao.post(f"/regulator/penalties/{penalty_id}/repair/grant")
    _db.session.expire_all()
    assert not publicly_visible(penalty_id, date(2026, 11, 26))
    application = db.session.scalar(select(RepairApplication).where(RepairApplication.penalty_id == penalty_id))
    assert (application.status, application.decided_on, application.applied_on) == (
        "granted", date(2026, 11, 26), date(2026, 11, 20))
    assert application.materials == APPLICATION["materials"]
    assert actions(penalty_id)[-2:] == ["repair_application_recorded", "penalty_repaired"]


def test_the_confirmation_says_an_active_ban_stays_shown(as_qingdao, db, world):
    penalty = db.session.get(Penalty, world.qd.penalty)
    penalty.kinds, penalty.ban_until, penalty.severity = ["fine", "practice_ban"], date(2030, 1, 10), "serious"
    db.session.commit()
    as_qingdao.post(f"/regulator/penalties/{penalty.id}/repair", data=APPLICATION)
    page = as_qingdao.get(f"/regulator/penalties/{penalty.id}/repair").get_data(as_text=True)
    assert "禁止从业信息在期限内继续公示" in page


def test_a_refusal_needs_a_reason_keeps_the_penalty_public_and_is_kept(as_qingdao, db, world):
    penalty_id = world.qd.penalty
    as_qingdao.post(f"/regulator/penalties/{penalty_id}/repair", data=APPLICATION)
    empty = as_qingdao.post(f"/regulator/penalties/{penalty_id}/repair/refuse", data={"reason": "  "})
    assert empty.status_code == 400 and 'id="reason-errors"' in empty.get_data(as_text=True)
    assert db.session.scalar(select(RepairApplication.status)) == "pending"
    response = as_qingdao.post(f"/regulator/penalties/{penalty_id}/repair/refuse",
                               data={"reason": "罚款尚未缴清，不符合信用修复条件"}, follow_redirects=True)
    assert "申请已不予修复，该处罚保持原状。" in response.get_data(as_text=True)
    _db.session.expire_all()
    assert publicly_visible(penalty_id, date(2026, 11, 26))
    refused = db.session.scalar(select(RepairApplication))
    assert (refused.status, refused.refusal_reason) == ("refused", "罚款尚未缴清，不符合信用修复条件")
    page = as_qingdao.get(f"/regulator/penalties/{penalty_id}/repair").get_data(as_text=True)
    assert "2026-11-26不予修复：罚款尚未缴清，不符合信用修复条件" in page
    assert "登记信用修复申请" in page  # the party may apply again
    assert actions(penalty_id)[-1] == "repair_refused"


@pytest.mark.parametrize("change, field, message", [
    ({"materials": ["good_faith_pledge"]}, "materials", "信用修复须有申请书"),
    ({"applied_on": "2026-11-27"}, "applied_on", "申请日期不能晚于今天"),
    ({"applied_on": "2026-01-09"}, "applied_on", "申请日期不能早于处罚决定日期"),
    ({"grounds": ""}, "grounds", "此项为必填项"),
    ({"materials": ["application_letter", "bogus"]}, "materials", ""),
])
def test_a_bad_application_is_refused_beside_its_field_and_nothing_is_saved(as_qingdao, db, world, change, field,
                                                                          message):
    response = as_qingdao.post(f"/regulator/penalties/{world.qd.penalty}/repair", data={**APPLICATION, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and f'id="{field}-errors"' in page and message in page
    assert db.session.scalar(select(RepairApplication.id)) is None


def test_one_application_at_a_time_and_none_after_repair(db, world):
    actor = actor_for(db, world, "qingdao")
    record_repair_application(actor, world.qd.penalty, applied_on=date(2026, 11, 20), grounds="已整改",
                              materials=["application_letter"])
    with pytest.raises(RuleViolation) as refused:
        record_repair_application(actor, world.qd.penalty, applied_on=date(2026, 11, 21), grounds="再次申请",
                                  materials=["application_letter"])
    assert refused.value.message_zh == "该处罚已有一份待决定的信用修复申请"


def test_the_desk_queue_lists_pending_applications_of_the_jurisdiction_oldest_first(db, world):
    qingdao, hefei = actor_for(db, world, "qingdao"), actor_for(db, world, "hefei")
    record_repair_application(qingdao, world.qd.penalty, applied_on=date(2026, 11, 20), grounds="已整改",
                              materials=["application_letter"])
    record_repair_application(hefei, world.hf.penalty, applied_on=date(2026, 11, 1), grounds="已整改",
                              materials=["application_letter"])
    assert [a.penalty_id for a in pending_repair_applications(qingdao)] == [world.qd.penalty]
    assert [a.penalty_id for a in pending_repair_applications(actor_for(db, world, "shandong"))] == [world.qd.penalty]
    assert [a.penalty_id for a in pending_repair_applications(hefei)] == [world.hf.penalty]
