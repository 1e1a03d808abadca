"""Administrative penalties, practice bans and credit repair, as a regulator records them and as the public
query clauses then show (or stop showing) them on pinned dates."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.access import SYSTEM, AccessDenied, Actor
from registry.extensions import db as _db
from registry.models import AuditEvent, Penalty
from registry.visibility import ban_public, penalty_public
from registry.rules.errors import RuleViolation
from registry.services.penalties import PenaltyInput, record_penalty
from registry.services.repair import grant_repair, record_repair_application
from registry.services.accounts import create_account
from tests import factories as f
from tests.regulator.conftest import HF_ID, PASSWORD, QD_ID, actor_for, login_as


AUTHORITY_USCC = "11370200MB2843567A"  # 青岛市生态环境局


def firm_penalty(uscc: str, **fields) -> dict:
    data = {"subject_kind": "unit", "subject_uscc": uscc, "decision_number": "青环罚〔2026〕88号",
            "decided_on": "2026-11-20", "kinds": ["fine", "circulated_criticism"], "severity": "ordinary",
            "violation_type": "出具虚假报告", "violation": "在修复效果评估报告中篡改检测数据",
            "basis": "《中华人民共和国土壤污染防治法》第九十条第一款", "content": "罚款二十万元并通报批评",
            "fine_yuan": "200000", "ban": "none", "authority_uscc": AUTHORITY_USCC, "data_source": "青岛市生态环境局"}
    data.update(fields)
    return data


def publicly_visible(penalty_id: int, day: date) -> bool:
    return _db.session.scalar(select(Penalty.id).where(Penalty.id == penalty_id, penalty_public(day))) is not None


def uscc_of(db, unit_id):
    from registry.models import Unit

    return db.session.get(Unit, unit_id).uscc


def test_a_regulator_records_a_firms_penalty_and_sees_its_publicity_end(as_qingdao, db, world):
    response = as_qingdao.post("/regulator/penalties/new", data=firm_penalty(uscc_of(db, world.qd.unit)),
                               follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "行政处罚已登记，公示截止日期为2027-11-20。" in page
    assert "公示至2027-11-20" in page and "2027-02-20" in page  # repair possible after the 3-month minimum
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕88号"))
    assert penalty.unit_id == world.qd.unit and penalty.person_id is None
    assert (penalty.authority, penalty.authority_division_code) == ("青岛市生态环境局", "370200")
    assert penalty.kinds == ["fine", "circulated_criticism"] and penalty.fine_yuan == 200000
    assert penalty.publicity_ends_on == date(2027, 11, 20)
    assert publicly_visible(penalty.id, date(2026, 11, 26))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "penalty_recorded"))
    assert event.record_id == penalty.id and event.after["decision_number"] == "青环罚〔2026〕88号"


def test_a_serious_penalty_with_a_lifetime_ban_on_a_person_found_by_full_id_number(as_qingdao, db, world):
    data = firm_penalty("", subject_kind="person", subject_id_number=QD_ID, severity="serious",
                        kinds=["fine", "practice_ban"], ban="lifetime", crime_found="y",
                        decision_number="青环罚〔2026〕89号")
    response = as_qingdao.post("/regulator/penalties/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "终身禁止从业" in page
    assert QD_ID not in page and "370202********0458" in page
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕89号"))
    assert penalty.person_id == world.qd.person and penalty.ban_lifetime
    assert penalty.publicity_ends_on == date(2029, 11, 20)  # serious: three years
    # the ban stays public after the penalty's own publicity ends
    far = date(2035, 1, 1)
    assert not publicly_visible(penalty.id, far)
    assert _db.session.scalar(select(Penalty.id).where(Penalty.id == penalty.id, ban_public(far))) == penalty.id


@pytest.mark.parametrize("change, field, message", [
    ({"subject_uscc": "9137020035791357M0"}, "subject_name", "请填写当事人名称（该单位尚未登记，按处罚决定书填写）"),
    ({"subject_uscc": "913702003579135700"}, "subject_uscc", "统一社会信用代码校验位错误"),
    ({"subject_kind": "person", "subject_id_number": "11010519491231002X"}, "subject_name", "请填写当事人姓名（此人尚未登记，按处罚决定书填写）"),
    ({"decided_on": "2026-12-01"}, "decided_on", "处罚决定日期不能晚于今天"),
    ({"kinds": []}, "kinds", "此项为必填项"),
    ({"fine_yuan": ""}, "fine_yuan", "处罚类别含罚款时请填写罚款金额"),
    ({"ban": "until"}, "kinds", "处罚类别应包括“禁止从业”"),
    ({"kinds": ["practice_ban"], "ban": "until"}, "ban_until", "请填写禁止从业的截止日期"),
    ({"kinds": ["practice_ban"], "ban": "none"}, "ban", "请选择期限"),
    ({"kinds": ["practice_ban"], "ban": "until", "ban_until": "2026-01-01"}, "ban_until", "禁止从业截止日期不能早于决定日期"),
    ({"decision_number": "青岛环罚〔2026〕1号"}, "decision_number", "该处罚决定书文号已经登记"),
])
def test_a_bad_penalty_is_refused_beside_its_field_and_nothing_is_saved(as_qingdao, db, world, change, field, message):
    before = db.session.scalar(select(Penalty.id).order_by(Penalty.id.desc()))
    response = as_qingdao.post("/regulator/penalties/new", data=firm_penalty(uscc_of(db, world.qd.unit), **change))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-errors"' in page and message in page
    assert "11010519491231002X" not in page  # a typed ID number is not echoed back
    assert db.session.scalar(select(Penalty.id).order_by(Penalty.id.desc())) == before


def test_the_firm_finder_lists_firms_by_name_with_their_codes(as_qingdao, db, world):
    page = as_qingdao.get("/regulator/penalties/new?find=合肥").get_data(as_text=True)
    assert "合肥环境修复有限公司" in page and uscc_of(db, world.hf.unit) in page
    assert "没有与“不存在的公司”匹配的已登记单位" in as_qingdao.get("/regulator/penalties/new?find=不存在的公司").get_data(as_text=True)


def test_a_penalty_leaves_public_view_the_day_after_its_publicity_ends(db, world):
    # the imported Qingdao penalty: ordinary, decided 2026-01-10 under the rule in force then (3–36 months)
    penalty = db.session.get(Penalty, world.qd.penalty)
    assert penalty.publicity_ends_on == date(2029, 1, 10)
    assert publicly_visible(penalty.id, date(2029, 1, 10))
    assert not publicly_visible(penalty.id, date(2029, 1, 11))


APPLICATION = {"applied_on": "2026-11-20", "grounds": "已缴清罚款并完成整改，申请信用修复",
               "materials": ["application_letter", "good_faith_pledge", "performance_proof"]}


def test_repair_is_refused_before_the_minimum_period_with_the_date_it_becomes_possible(app, client, db, world):
    actor = actor_for(db, world, "qingdao")
    penalty = record_penalty(actor, PenaltyInput(subject_kind="unit", subject_uscc=uscc_of(db, world.qd.unit),
                                                 decision_number="青环罚〔2026〕90号", decided_on=date(2026, 10, 1),
                                                 kinds=["warning"], severity="ordinary", **f.DOUBLE_PUBLICITY))
    record_repair_application(actor, penalty.id, applied_on=date(2026, 11, 20), grounds="已整改",
                              materials=["application_letter"])
    with pytest.raises(RuleViolation) as refused:
        grant_repair(actor, penalty.id)
    assert "2027-01-01" in refused.value.message_zh
    login_as(client, world, "qingdao")
    page = client.post(f"/regulator/penalties/{penalty.id}/repair/grant", follow_redirects=True).get_data(as_text=True)
    assert "最短公示期尚未届满，自2027-01-01起方可办理信用修复" in page
    assert "今日准予信用修复" not in page  # no button to press before the day comes
    _db.session.expire_all()
    assert _db.session.get(Penalty, penalty.id).repaired_on is None


def test_granted_repair_takes_the_penalty_out_of_public_view_that_day(client, db, world):
    login_as(client, world, "qingdao")
    penalty_id = world.qd.penalty  # decided 2026-01-10: the 3-month minimum passed on 2026-04-10
    assert publicly_visible(penalty_id, date(2026, 11, 26))
    client.post(f"/regulator/penalties/{penalty_id}/repair", data=APPLICATION)
    page = client.post(f"/regulator/penalties/{penalty_id}/repair/grant", follow_redirects=True).get_data(as_text=True)
    assert "已准予信用修复，该处罚信息已停止公示。" in page
    assert "已于2026-11-26信用修复，不再公示" in page  # regulators still see it, marked repaired
    _db.session.expire_all()
    assert _db.session.get(Penalty, penalty_id).repaired_on == date(2026, 11, 26)
    assert publicly_visible(penalty_id, date(2026, 11, 25))  # the day before, it was public
    assert not publicly_visible(penalty_id, date(2026, 11, 26))
    listing = client.get("/regulator/penalties").get_data(as_text=True)
    assert "青岛环罚〔2026〕1号" in listing and "已于2026-11-26信用修复" in listing
    again = client.post(f"/regulator/penalties/{penalty_id}/repair/grant", follow_redirects=True).get_data(as_text=True)
    assert "该处罚已于2026-11-26完成信用修复" in again
    assert len(_db.session.scalars(select(AuditEvent).where(AuditEvent.action == "penalty_repaired")).all()) == 1


def test_a_minor_penalty_is_recorded_but_never_public(db, world):
    penalty = record_penalty(actor_for(db, world, "qingdao"), PenaltyInput(
        subject_kind="unit", subject_uscc=uscc_of(db, world.qd.unit), decision_number="青环罚〔2026〕91号",
        decided_on=date(2026, 11, 2), kinds=["warning"], severity="minor", **f.DOUBLE_PUBLICITY))
    assert penalty.publicity_ends_on == date(2026, 11, 2)
    assert not publicly_visible(penalty.id, date(2026, 11, 2))


def test_only_a_regulator_records_penalties(db, world):
    account = create_account(SYSTEM, username="firm-user", password=PASSWORD, role="unit", display_name="x",
                             unit_id=world.qd.unit)
    with pytest.raises(AccessDenied):
        record_penalty(Actor.of(account), PenaltyInput(subject_kind="unit", subject_uscc=uscc_of(db, world.qd.unit),
                                                       decision_number="x", decided_on=date(2026, 11, 2), kinds=["warning"]))
    assert _db.session.scalar(select(Penalty).where(Penalty.decision_number == "x")) is None


def test_the_deciding_authority_is_the_regulators_own_whatever_the_form_says(as_qingdao, db, world):
    data = firm_penalty(uscc_of(db, world.qd.unit), decision_number="青环罚〔2026〕92号", authority="合肥市生态环境局",
                        authority_division_code="340100", recorded_by_account_id="99")
    as_qingdao.post("/regulator/penalties/new", data=data)
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕92号"))
    assert (penalty.authority, penalty.authority_division_code) == ("青岛市生态环境局", "370200")
    assert penalty.recorded_by_account_id == world.accounts["qingdao"]


def test_the_regulator_sees_the_publicity_end_before_recording(as_qingdao, db, world):
    data = firm_penalty(uscc_of(db, world.qd.unit), severity="serious", decided_on="2026-11-20", action="preview")
    page = as_qingdao.post("/regulator/penalties/new", data=data).get_data(as_text=True)
    assert "公示截止日期为2029-11-20；自2027-11-20起可申请信用修复。" in page
    old_rule = as_qingdao.post("/regulator/penalties/new",
                               data={**data, "severity": "minor", "decided_on": "2026-03-01"}).get_data(as_text=True)
    assert "公示截止日期为2029-03-01；自2026-06-01起可申请信用修复。" in old_rule  # before 2026-04-01: 3–36 months
    minor = as_qingdao.post("/regulator/penalties/new", data={**data, "severity": "minor"}).get_data(as_text=True)
    assert "该日期作出的轻微失信处罚不予公示" in minor
    assert db.session.scalar(select(Penalty).where(Penalty.decision_number == data["decision_number"])) is None


def test_a_penalty_only_on_a_party_registered_or_working_in_the_jurisdiction(as_qingdao, db, world):
    """Qingdao looked up a Hefei person and was offered a penalty; the firm and person of Hefei
    are refused by the service, beside the field, and nothing is saved; the lookup itself stays audited."""
    lookup = as_qingdao.post("/regulator/persons/lookup", data={"id_number": HF_ID}).get_data(as_text=True)
    assert "合肥工程师" in lookup and "对该个人登记行政处罚" not in lookup
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "person_looked_up_by_id_number",
                                                         AuditEvent.record_id == world.hf.person)) is not None
    ours = as_qingdao.post("/regulator/persons/lookup", data={"id_number": QD_ID}).get_data(as_text=True)
    assert "对该个人登记行政处罚" in ours
    message = "该当事人的登记地和从业项目所在地都不在本机关辖区内"
    for data in (firm_penalty(uscc_of(db, world.hf.unit)),
                 firm_penalty("", subject_kind="person", subject_id_number=HF_ID)):
        response = as_qingdao.post("/regulator/penalties/new", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕88号")) is None
    finder = as_qingdao.get("/regulator/penalties/new?find=环境修复有限公司").get_data(as_text=True)
    assert finder.count("不在本机关辖区") == 1  # Hefei's firm, not Qingdao's


def test_a_project_in_the_jurisdiction_brings_a_party_from_elsewhere_within_reach(db, world):
    """Where the violation happened counts: a Hefei firm's project in Qingdao lets Qingdao decide."""
    qingdao = actor_for(db, world, "qingdao")
    hefei_firm = uscc_of(db, world.hf.unit)
    with pytest.raises(RuleViolation):
        record_penalty(qingdao, PenaltyInput(**{**firm_penalty(hefei_firm), "decided_on": date(2026, 11, 20),
                                                "fine_yuan": Decimal(200000)}))
    f.create(f.project_record(hefei_firm, "合肥-青岛项目", division_code="370211",
                              people=[{"id_number": HF_ID, "role": "responsible_manager"}]))
    firm = record_penalty(qingdao, PenaltyInput(**{**firm_penalty(hefei_firm), "decided_on": date(2026, 11, 20),
                                                   "fine_yuan": Decimal(200000)}))
    person = record_penalty(qingdao, PenaltyInput(**{**firm_penalty("", subject_kind="person", subject_id_number=HF_ID),
                                                     "decision_number": "青环罚〔2026〕90号",
                                                     "decided_on": date(2026, 11, 20), "fine_yuan": Decimal(200000)}))
    assert (firm.unit_id, person.person_id) == (world.hf.unit, world.hf.person)
