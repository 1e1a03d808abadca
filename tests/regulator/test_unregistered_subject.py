"""Soil Law art. 90 reaches a firm and its directly responsible persons whether or not they registered: the
penalty form creates the party from the decision, the public sees it only through the penalty, marked as not
registered, and a later registration claims the record instead of duplicating it."""
from datetime import date

from sqlalchemy import func, select

from registry.access import Actor
from registry.extensions import db
from registry.models import AuditEvent, Penalty, Person, Unit
from registry.services.registration import anonymous, redeem_invitation, register_firm
from registry.services.staff import add_staff
from tests import factories as f
from tests.regulator.conftest import PASSWORD
from tests.regulator.test_penalties import firm_penalty

NEW_ID = f.make_id_number("370202", "19850921", 77)  # registered nowhere, born in Qingdao's 市南区
NEW_USCC = f.make_uscc("370211", 4242)


def person_penalty(**fields) -> dict:
    data = firm_penalty("", subject_kind="person", subject_id_number=NEW_ID, subject_name="赵六",
                        decision_number="青环罚〔2026〕90号", severity="serious",
                        kinds=["fine", "practice_ban"], ban="until", ban_until="2036-11-20")
    data.update(fields)
    return data


def events(db, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_a_penalty_creates_an_unregistered_person_seen_only_through_it_and_masked(as_qingdao, client, db, world):
    response = as_qingdao.post("/regulator/penalties/new", data=person_penalty())
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.scalar(select(Person).where(Person.name == "赵六"))
    assert person.registered is False and person.commitment_signed_at is None
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕90号"))
    assert penalty.person_id == person.id and penalty.party_name == "赵六" and penalty.ban_until == date(2036, 11, 20)
    assert events(db, "person_created_from_penalty") == 1
    page = client.get(f"/persons/{person.public_id}").get_data(as_text=True)
    assert "未登记：本记录依据行政处罚决定建立" in page and person.id_number_masked in page and NEW_ID not in page
    answer = client.get(f"/api/v1/persons/{person.public_id}")
    assert answer.get_json()["registered"] is False and NEW_ID not in answer.get_data(as_text=True)
    assert [item["decision_number"] for item in answer.get_json()["penalties"]] == ["青环罚〔2026〕90号"]


def test_without_the_name_an_unknown_party_is_refused_and_nothing_is_created(as_qingdao, db, world):
    response = as_qingdao.post("/regulator/penalties/new", data=person_penalty(subject_name=""))
    assert response.status_code == 400
    assert "当事人姓名（此人尚未登记，按处罚决定书填写）" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Person).where(Person.name == "赵六")) == 0
    assert db.session.scalar(select(Penalty.id).where(Penalty.decision_number == "青环罚〔2026〕90号")) is None


def test_an_unregistered_party_from_outside_the_jurisdiction_is_refused(as_qingdao, db, world):
    beijing = f.make_id_number("110105", "19850921", 78)
    response = as_qingdao.post("/regulator/penalties/new", data=person_penalty(subject_id_number=beijing))
    assert response.status_code == 400
    assert "不在本机关辖区内" in response.get_data(as_text=True) and beijing not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Person).where(Person.name == "赵六")) == 0


def test_a_firm_created_from_a_penalty_is_claimed_by_its_registration(as_qingdao, db, world):
    data = firm_penalty(NEW_USCC, subject_name="黄岛无证修复有限公司", subject_legal_representative="钱七",
                        decision_number="青环罚〔2026〕91号")
    assert as_qingdao.post("/regulator/penalties/new", data=data).status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.uscc == NEW_USCC))
    assert unit.registered is False and unit.division_code == "370211" and unit.legal_representative == "钱七"
    registration = register_firm(anonymous("firm", "127.0.0.1"), uscc=NEW_USCC, name="黄岛修复有限公司",
                                 division_code="370211", legal_representative="钱七", contact_email="a@example.cn",
                                 password=PASSWORD)
    assert registration.unit.id == unit.id and registration.unit.registered is True
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.uscc == NEW_USCC)) == 1
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕91号"))
    assert penalty.unit_id == unit.id and penalty.party_name == "黄岛无证修复有限公司"  # as decided
    assert events(db, "unit_registration_claimed") == 1


def test_a_person_created_from_a_penalty_is_claimed_when_a_firm_adds_them(as_qingdao, db, world):
    assert as_qingdao.post("/regulator/penalties/new", data=person_penalty()).status_code == 302
    person = db.session.scalar(select(Person).where(Person.name == "赵六"))
    firm = Actor(account_id=None, label="青岛环境修复有限公司", role="unit", unit_id=world.qd.unit)
    proposed = add_staff(firm, name="赵六", id_number=NEW_ID, title=None)
    redeem_invitation(anonymous("person", "127.0.0.1"), code=proposed.invitation_code, id_number=NEW_ID, username="zhaoliu",
                      email=None, password=PASSWORD)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Person).where(Person.name == "赵六")) == 1
    assert db.session.get(Person, person.id).registered is True
    assert events(db, "person_registration_claimed") == 1


def test_a_search_hit_marks_the_unregistered_party(as_qingdao, client, db, world):
    assert as_qingdao.post("/regulator/penalties/new", data=person_penalty()).status_code == 302
    data = firm_penalty(NEW_USCC, subject_name="黄岛无证修复有限公司", subject_legal_representative="钱七",
                        decision_number="青环罚〔2026〕91号", severity="serious")
    assert as_qingdao.post("/regulator/penalties/new", data=data).status_code == 302
    for name in ("赵六", "黄岛无证修复"):
        page = client.get("/search", query_string={"q": name}).get_data(as_text=True)
        assert page.count("未登记：本记录依据行政处罚决定建立") == 1, name
    registered = client.get("/search", query_string={"q": "青岛环境修复"}).get_data(as_text=True)
    assert "<mark>青岛环境修复</mark>有限公司" in registered and "未登记：本记录依据行政处罚决定建立" not in registered
