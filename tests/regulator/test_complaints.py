"""Verifying false-performance complaints: the queue, the only allowed transitions, the written finding;
a substantiated finding becomes public, an unsubstantiated one never; the complainant never does."""
from datetime import date

import pytest
from sqlalchemy import select

from registry.extensions import db as _db
from registry.models import AuditEvent, Complaint, Project, Unit
from registry.visibility import complaint_public
from registry.rules.errors import RuleViolation
from registry.services.complaints import advance_complaint
from registry.exchange import export_jsonl
from tests.regulator.conftest import actor_for

FINDING = "经核查，该项目合同与竣工资料系伪造，举报属实。"


def public_complaint_ids() -> set[int]:
    return set(_db.session.scalars(select(Complaint.id).where(complaint_public())))


def status_of(complaint_id: int) -> str:
    _db.session.expire_all()
    return _db.session.get(Complaint, complaint_id).status


def test_the_queue_lists_open_complaints_of_the_jurisdiction_oldest_first(as_qingdao, world):
    page = as_qingdao.get("/regulator/complaints").get_data(as_text=True)
    assert "青岛-C1" in page and "青岛-C2" in page and "合肥-C1" not in page
    assert page.index("青岛-C1") < page.index("青岛-C2")
    verifying_only = as_qingdao.get("/regulator/complaints?status=verifying").get_data(as_text=True)
    assert "青岛-C2" in verifying_only and "青岛-C1" not in verifying_only
    assert "此列表中没有举报" in as_qingdao.get("/regulator/complaints?status=substantiated").get_data(as_text=True)


def test_the_handling_regulator_sees_the_complainant(as_qingdao, world):
    page = as_qingdao.get(f"/regulator/complaints/{world.qd.complaint}").get_data(as_text=True)
    assert "举报人信息（保密）" in page and "青岛举报人" in page and "13600000000" in page


def test_received_to_verifying_to_substantiated_becomes_public_without_the_complainant(as_qingdao, db, world):
    complaint_id = world.qd.complaint
    assert complaint_id not in public_complaint_ids()
    page = as_qingdao.post(f"/regulator/complaints/{complaint_id}", data={"status": "verifying"},
                           follow_redirects=True).get_data(as_text=True)
    assert "举报核查状态已更新为：核查中。" in page
    assert complaint_id not in public_complaint_ids()
    page = as_qingdao.post(f"/regulator/complaints/{complaint_id}",
                           data={"status": "substantiated", "finding": FINDING, "verified_on": "2026-11-25"},
                           follow_redirects=True).get_data(as_text=True)
    assert "举报核查状态已更新为：属实。" in page and "核查已经完成，结论不能再更改。" in page
    complaint = _db.session.get(Complaint, complaint_id)
    assert (complaint.status, complaint.finding, complaint.verified_on) == ("substantiated", FINDING, date(2026, 11, 25))
    # imported without a receiving authority, it stays with the project's location (never the verifier's)
    assert (complaint.authority, complaint.authority_division_code) == ("青岛市生态环境局", "370211")
    assert complaint_id in public_complaint_ids()
    exported = "\n".join(export_jsonl(public=True))
    assert FINDING in exported
    assert "青岛举报人" not in exported and "13600000000" not in exported
    actions = [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.record_type == "complaint", AuditEvent.record_id == complaint_id)
        .order_by(AuditEvent.id))]
    assert actions[-2:] == ["complaint_verifying", "complaint_substantiated"]


def test_an_unsubstantiated_finding_never_becomes_public(as_qingdao, world):
    complaint_id = world.qd.verifying
    finding = "经核查，该项目业绩材料真实，举报内容不属实。"
    as_qingdao.post(f"/regulator/complaints/{complaint_id}", data={"status": "unsubstantiated", "finding": finding})
    assert status_of(complaint_id) == "unsubstantiated"
    assert complaint_id not in public_complaint_ids()
    assert finding not in "\n".join(export_jsonl(public=True))


@pytest.mark.parametrize("start, target", [
    ("received", "substantiated"), ("received", "unsubstantiated"), ("received", "received"),
    ("verifying", "received"), ("verifying", "verifying"),
])
def test_no_other_transition_is_possible(db, world, start, target):
    complaint_id = world.qd.complaint if start == "received" else world.qd.verifying
    with pytest.raises(RuleViolation, match="cannot move"):
        advance_complaint(actor_for(db, world, "qingdao"), complaint_id, status=target, finding=FINDING)
    assert status_of(complaint_id) == start


def test_a_verified_outcome_is_final(db, world):
    actor = actor_for(db, world, "qingdao")
    advance_complaint(actor, world.qd.verifying, status="substantiated", finding=FINDING)
    for target in ("received", "verifying", "unsubstantiated"):
        with pytest.raises(RuleViolation):
            advance_complaint(actor, world.qd.verifying, status=target, finding=FINDING)
    assert status_of(world.qd.verifying) == "substantiated"


def test_a_verified_outcome_needs_a_finding_and_a_sensible_date(as_qingdao, world):
    url = f"/regulator/complaints/{world.qd.verifying}"
    response = as_qingdao.post(url, data={"status": "substantiated", "finding": ""})
    assert response.status_code == 400 and "请写明核查结论（至少10个字）" in response.get_data(as_text=True)
    early = as_qingdao.post(url, data={"status": "substantiated", "finding": FINDING, "verified_on": "2026-09-01"})
    assert "核查日期不能早于受理日期" in early.get_data(as_text=True)
    future = as_qingdao.post(url, data={"status": "substantiated", "finding": FINDING, "verified_on": "2026-12-01"})
    assert "核查日期不能晚于今天" in future.get_data(as_text=True)
    assert status_of(world.qd.verifying) == "verifying"


def test_the_substantiated_finding_flags_the_project_of_the_firm(db, world):
    """What the public record shows: the firm's project with a substantiated complaint against it."""
    advance_complaint(actor_for(db, world, "qingdao"), world.qd.verifying, status="substantiated", finding=FINDING)
    flagged = db.session.execute(
        select(Unit.name, Project.ref).join(Project, Project.unit_id == Unit.id)
        .join(Complaint, Complaint.project_id == Project.id).where(complaint_public())
    ).all()
    assert flagged == [("青岛环境修复有限公司", "青岛-P1")]
