"""The subject's voice: a firm or person attaches a statement to a public record about itself (shown beside it,
marked as theirs, its earlier versions kept), and asks the authority that made a record to correct it; the
competent regulator accepts (the record is corrected through that record's rules, the earlier version kept, the
public page says so) or refuses with a reason the requester reads. Everything is audited."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from registry.access import AccessDenied, Actor
from registry.models import AuditEvent, Complaint, Penalty, RecordCorrection, Review, Statement
from registry.rules.errors import RuleViolation
from registry.services.corrections import (CorrectedValues, accept_record_correction, refuse_record_correction,
                                           request_record_correction)
from registry.services.statements import save_statement, withdraw_statement
from tests import factories as f
from tests.regulator.conftest import QD_ID, actor_for, login_as

FIRM_SAYS = "该处罚已履行完毕：罚款已于2026年2月全额缴纳，涉事报告已重新编制并通过评审。"
GROUNDS = "处罚决定书原件载明的违法事实为“未按规定报送报告”，登记的内容有误，附决定书扫描件。"


def firm(world, which="qd") -> Actor:
    return Actor(account_id=None, label="firm", role="unit", unit_id=getattr(world, which).unit)


def person(world) -> Actor:
    return Actor(account_id=None, label="person", role="person", person_id=world.qd.person)


@pytest.fixture
def person_penalty(db, world) -> int:
    f.create(f.penalty_record({"id_number": QD_ID}, "青环罚〔2026〕88号", decided_on="2026-03-02",
                              violation="未按规定报送修复效果评估报告"))
    return db.session.scalar(select(Penalty.id).where(Penalty.decision_number == "青环罚〔2026〕88号"))


@pytest.fixture
def finding(db, world) -> int:
    f.create(f.complaint_record("青岛-P1", "青岛-C9", status="substantiated", received_on="2026-01-05",
                                verified_on="2026-02-01"))
    return db.session.scalar(select(Complaint.id).where(Complaint.ref == "青岛-C9"))


def actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_firm_statement_is_shown_beside_its_penalty_marked_as_its_own_and_every_version_is_kept(client, db, world):
    save_statement(firm(world), "penalty", world.qd.penalty, FIRM_SAYS)
    page = client.get(f"/units/{db.session.get(Penalty, world.qd.penalty).unit.uscc}").get_data(as_text=True)
    assert "当事人说明" in page and FIRM_SAYS in page and "未经主管部门核实" in page
    uscc = db.session.get(Penalty, world.qd.penalty).unit.uscc
    answer = client.get(f"/api/v1/units/{uscc}").get_json()
    [penalty] = answer["penalties"]
    assert penalty["statement"]["text"] == FIRM_SAYS and penalty["corrected_at"] is None
    assert client.get("/penalties").get_data(as_text=True).count(FIRM_SAYS) == 1

    save_statement(firm(world), "penalty", world.qd.penalty, "罚款已缴清。")
    with pytest.raises(RuleViolation, match="unchanged"):
        save_statement(firm(world), "penalty", world.qd.penalty, "罚款已缴清。")
    page = client.get(f"/units/{uscc}").get_data(as_text=True)
    assert "罚款已缴清。" in page and FIRM_SAYS not in page
    withdraw_statement(firm(world), "penalty", world.qd.penalty)
    assert "当事人说明" not in client.get(f"/units/{uscc}").get_data(as_text=True)
    assert client.get(f"/api/v1/units/{uscc}").get_json()["penalties"][0]["statement"] is None
    versions = db.session.execute(select(Statement.version, Statement.text).where(
        Statement.record_id == world.qd.penalty).order_by(Statement.version)).all()
    assert versions == [(1, FIRM_SAYS), (2, "罚款已缴清。"), (3, None)]
    assert actions(db).count("statement_saved") == 2 and "statement_withdrawn" in actions(db)
    with pytest.raises(RuleViolation, match="no statement"):
        withdraw_statement(firm(world), "penalty", world.qd.penalty)


def test_statements_on_a_review_and_a_finding_show_on_the_firm_and_project_pages(client, db, world, finding):
    save_statement(firm(world), "review", world.qd.review, "第一轮评审未通过后已补充调查，第二轮通过。")
    save_statement(firm(world), "finding", finding, "对核查结论有异议，已申请行政复议。")
    project = client.get("/projects/青岛-P1").get_data(as_text=True)
    assert "第一轮评审未通过后已补充调查" in project and "已申请行政复议" in project
    assert "已申请行政复议" in client.get("/findings").get_data(as_text=True)
    uscc = client.get("/api/v1/units?q=青岛环境修复").get_json()["items"][0]["uscc"]
    answer = client.get(f"/api/v1/units/{uscc}").get_json()
    assert answer["reviews"][0]["statement"]["text"].startswith("第一轮评审")
    assert answer["verified_false_performance"][0]["statement"]["text"].startswith("对核查结论")


def test_a_statement_obeys_the_one_rule_and_only_the_subject_may_write_one(db, world):
    with pytest.raises(RuleViolation, match="at most 500"):
        save_statement(firm(world), "penalty", world.qd.penalty, "长" * 501)
    save_statement(firm(world), "penalty", world.qd.penalty, "长" * 500)
    for stranger in (firm(world, "hf"), person(world)):
        with pytest.raises(AccessDenied) as refused:
            save_statement(stranger, "penalty", world.qd.penalty, "这不是我的处罚")
        assert refused.value.status == 404
    with pytest.raises(AccessDenied):  # a complaint not yet verified is no finding about the firm
        save_statement(firm(world), "finding", world.qd.complaint, "尚在核查中")
    assert db.session.scalar(select(func.count(Statement.id))) == 1
    assert actions(db).count("access_denied") == 3


def test_the_database_refuses_to_change_or_delete_a_statement_version(db, world):
    save_statement(firm(world), "penalty", world.qd.penalty, FIRM_SAYS)
    for sql in ("UPDATE statement SET text = 'rewritten'", "DELETE FROM statement"):
        with pytest.raises(Exception, match="cannot be changed or deleted"):
            db.session.execute(text(sql))
        db.session.rollback()
    assert db.session.scalar(select(Statement.text)) == FIRM_SAYS


def test_a_person_asks_for_a_correction_is_refused_with_a_reason_then_a_second_request_is_accepted(
        client, db, world, person_penalty):
    first = request_record_correction(person(world), "penalty", person_penalty, GROUNDS).id
    with pytest.raises(RuleViolation, match="already waiting"):
        request_record_correction(person(world), "penalty", person_penalty, GROUNDS)
    with pytest.raises(AccessDenied):
        refuse_record_correction(actor_for(db, world, "hefei"), first, "不在本机关辖区")
    qingdao = actor_for(db, world, "qingdao")
    with pytest.raises(RuleViolation, match="say why"):
        refuse_record_correction(qingdao, first, "  ")
    refuse_record_correction(qingdao, first, "决定书原件载明的违法事实与登记一致。")
    assert db.session.get(Penalty, person_penalty).violation == "未按规定报送修复效果评估报告"

    second = request_record_correction(person(world), "penalty", person_penalty, GROUNDS).id
    values = CorrectedValues(decided_on=date(2026, 3, 2), violation="未按规定报送报告", basis="《土壤污染防治法》第九十条",
                             content="罚款", fine_yuan=Decimal("50000"))
    with pytest.raises(RuleViolation):  # the penalty's own rules: a decision date in the future
        accept_record_correction(qingdao, second, CorrectedValues(**{**values.__dict__, "decided_on": date(2099, 1, 1)}))
    accept_record_correction(qingdao, second, values)
    db.session.expire_all()
    penalty = db.session.get(Penalty, person_penalty)
    assert (penalty.violation, penalty.fine_yuan) == ("未按规定报送报告", Decimal("50000.00"))
    correction = db.session.get(RecordCorrection, second)
    assert correction.status == "accepted" and correction.earlier["violation"] == "未按规定报送修复效果评估报告"
    assert correction.earlier["fine_yuan"] == "100000.00" and correction.corrected["fine_yuan"] == "50000"
    public_id = penalty.person.public_id
    page = client.get(f"/persons/{public_id}").get_data(as_text=True)
    assert "未按规定报送报告" in page and "应当事人申请更正" in page
    assert client.get(f"/api/v1/persons/{public_id}").get_json()["penalties"][0]["corrected_at"]
    assert {"record_correction_requested", "record_correction_refused", "penalty_corrected",
            "record_correction_accepted"} <= set(actions(db))


def test_the_competent_regulator_corrects_a_review_and_a_finding_under_their_own_rules(db, world, finding):
    qingdao = actor_for(db, world, "qingdao")
    review = request_record_correction(firm(world), "review", world.qd.review, GROUNDS).id
    with pytest.raises(RuleViolation):
        accept_record_correction(qingdao, review, CorrectedValues(reviewed_on=None, passed=True))
    accept_record_correction(qingdao, review, CorrectedValues(reviewed_on=date(2026, 5, 6), passed=True))
    db.session.expire_all()
    assert db.session.get(Review, world.qd.review).passed is True
    complaint = request_record_correction(firm(world), "finding", finding, GROUNDS).id
    with pytest.raises(RuleViolation, match="at least 10"):
        accept_record_correction(qingdao, complaint, CorrectedValues(finding="太短", verified_on=date(2026, 2, 1)))
    accept_record_correction(qingdao, complaint, CorrectedValues(finding="经核查，部分业绩信息与实际不符（面积）",
                                                                 verified_on=date(2026, 2, 3)))
    db.session.expire_all()
    assert db.session.get(Complaint, finding).verified_on == date(2026, 2, 3)
    with pytest.raises(RuleViolation, match="already decided"):
        refuse_record_correction(qingdao, complaint, "已处理")


def test_the_pages_queue_the_request_and_the_requester_reads_the_refusal(client, db, world):
    from registry.services.accounts import system_create_account
    system_create_account(username="qd-firm", password="Firm-Pass-2026!", role="unit", display_name="青岛",
                          unit_id=world.qd.unit)
    f.login(client, "qd-firm", "Firm-Pass-2026!")
    records = client.get("/practitioner/records").get_data(as_text=True)
    assert "青岛环罚〔2026〕1号" in records and "合肥环罚" not in records and "添加说明" in records
    url = f"/practitioner/records/penalty/{world.qd.penalty}/correction"
    assert client.post(url, data={"grounds": "短"}).status_code == 400
    assert client.post(url, data={"grounds": GROUNDS}).status_code == 302
    again = client.post(url, data={"grounds": GROUNDS})
    assert again.status_code == 400 and "等待主管部门处理" in again.get_data(as_text=True)
    assert client.post(f"/practitioner/records/penalty/{world.hf.penalty}/correction",
                       data={"grounds": GROUNDS}).status_code == 404
    client.post("/logout")

    login_as(client, world, "qingdao")
    correction = db.session.scalar(select(RecordCorrection.id))
    assert f"/regulator/record-corrections/{correction}" in client.get("/regulator/corrections").get_data(as_text=True)
    page = client.get(f"/regulator/record-corrections/{correction}").get_data(as_text=True)
    assert GROUNDS[:10] in page and "现有记录" in page
    refused = client.post(f"/regulator/record-corrections/{correction}", data={"decision": "refuse", "note": ""})
    assert refused.status_code == 400
    assert client.post(f"/regulator/record-corrections/{correction}",
                       data={"decision": "refuse", "note": "决定书原件与登记一致"}).status_code == 302
    client.post("/logout")
    login_as(client, world, "hefei")
    assert client.get(f"/regulator/record-corrections/{correction}").status_code == 403
    client.post("/logout")

    f.login(client, "qd-firm", "Firm-Pass-2026!")
    assert "决定书原件与登记一致" in client.get("/practitioner/").get_data(as_text=True)
