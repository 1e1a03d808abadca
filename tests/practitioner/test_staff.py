"""Staff: added by the firm with masked ID numbers, invited with a one-time code, signing their own letter,
and moving between firms with their history kept."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Account, AuditEvent, Commitment, Employment, Invitation, Person
from tests.practitioner.conftest import (GAO, HEFEI, LIN, PASSWORD, QINGDAO, WANG, add_staff, count, errors_of,
                                         hire, make_id, person_by_name, shown_code, sign, unit_by)
from tests.factories import login

LIN_MASKED = "370202********0458"


def redeem(client, code, id_number=LIN, username="linhaiyan", password=PASSWORD):
    return client.post("/practitioner/invitation", data={
        "code": code, "id_number": id_number, "username": username, "email": "",
        "password": password, "confirm": password,
    })


def test_a_firm_proposes_a_person_and_nothing_changes_until_the_person_confirms(app, firm):
    response = add_staff(firm, "林海燕", LIN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "提议已记录。林海燕本人确认后即成为本单位人员" in page
    assert LIN_MASKED in page and LIN not in page
    code = shown_code(page)
    person = person_by_name("林海燕")
    assert person.id_number_masked == LIN_MASKED
    assert person.current_employment is None and count(Employment) == 0  # a proposal, not a hire
    invitation = db.session.scalar(select(Invitation))
    assert invitation.person_id == person.id and invitation.proposed_name == "林海燕"
    assert code not in invitation.code_hmac and len(invitation.code_hmac) == 64
    staff_page = firm.get("/practitioner/staff").get_data(as_text=True)
    assert "已提议，待本人确认" in staff_page and "林海燕" in staff_page and LIN_MASKED in staff_page
    assert "尚未登记人员" in staff_page  # no current staff yet
    assert LIN not in staff_page and LIN not in firm.get("/practitioner/").get_data(as_text=True)
    # redeeming the code is the person's confirmation
    assert redeem(app.test_client(), code).status_code == 302
    db.session.expire_all()
    assert person_by_name("林海燕").current_employment.unit_id == unit_by(QINGDAO).id


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "", "id_number": LIN}, "name", "必填"),
    ({"name": "林海燕", "id_number": "370202198403120459"}, "id_number", "校验位错误"),
    ({"name": "林海燕", "id_number": "37020219840312"}, "id_number", "应为18位"),
    ({"name": "林海燕", "id_number": make_id("37020219990230045")}, "id_number", "出生日期"),
    ({"name": "林海燕", "id_number": ""}, "id_number", "必填"),
])
def test_each_staff_error_shows_beside_its_field_and_nothing_is_saved(firm, data, field, message):
    page = firm.post("/practitioner/staff", data={"title": "", **data}).get_data(as_text=True)
    assert any(message in e for e in errors_of(page, field)), errors_of(page, field)
    assert count(Person) == 0 and count(Employment) == 0 and count(Invitation) == 0
    if data["id_number"]:  # the typed number is kept in its field, to be corrected, and only there
        assert page.count(data["id_number"]) == 1 and f'value="{data["id_number"]}"' in page


def test_the_same_person_cannot_be_added_twice_to_one_firm(firm):
    hire(firm, "林海燕", LIN)
    page = add_staff(firm, "林海燕", LIN).get_data(as_text=True)
    assert "此人已是本单位人员" in " ".join(errors_of(page, "id_number"))
    assert count(Person) == 1 and count(Employment) == 1


def test_a_person_redeems_the_invitation_and_signs_their_own_commitment(app, firm):
    code = shown_code(add_staff(firm, "林海燕", LIN).get_data(as_text=True))
    person_client = app.test_client()
    assert "凭邀请码创建个人账号" in person_client.get("/practitioner/invitation").get_data(as_text=True)
    response = redeem(person_client, code.lower().replace("-", " "))
    assert response.status_code == 302 and response.headers["Location"].endswith("/practitioner/me/commitment")
    account = db.session.scalar(select(Account).where(Account.username == "linhaiyan"))
    person = person_by_name("林海燕")
    assert account.role == "person" and account.person_id == person.id
    assert db.session.scalar(select(Invitation.used_at)) is not None

    home = person_client.get("/practitioner/me").get_data(as_text=True)
    assert "林海燕" in home and LIN_MASKED in home and "青岛海岸带土壤修复有限公司" in home
    assert "签署同意公开的承诺书之前，您的信息不会公开。" in home
    assert person.commitment_signed_at is None

    wrong = sign(person_client, signer="张海", url="/practitioner/me/commitment").get_data(as_text=True)
    assert "请输入您本人的姓名" in " ".join(errors_of(wrong, "signer"))
    assert count(Commitment) == 0
    assert sign(person_client, signer="林海燕", url="/practitioner/me/commitment").status_code == 302
    db.session.expire_all()
    assert person_by_name("林海燕").commitment_signed_at is not None
    commitment = db.session.scalar(select(Commitment))
    assert commitment.person_id == person.id and commitment.unit_id is None
    assert "已公开：姓名和部分隐去的身份证号码" in person_client.get("/practitioner/me").get_data(as_text=True)

    staff_page = firm.get("/practitioner/staff").get_data(as_text=True)
    assert "已开通账号" in staff_page and "已签署，已同意公开" in staff_page

    # and the person can sign in again later with their own username
    person_client.post("/logout")
    assert login(person_client, "linhaiyan", PASSWORD).headers["Location"].endswith("/practitioner/me")


def test_an_invitation_works_once_and_only_with_the_invited_persons_id_number(app, firm):
    code = shown_code(add_staff(firm, "林海燕", LIN).get_data(as_text=True))
    visitor = app.test_client()
    page = redeem(visitor, code, id_number=GAO).get_data(as_text=True)
    assert "身份证号码与邀请不符" in " ".join(errors_of(page, "id_number"))
    page = redeem(visitor, "AAAA-BBBB-CCCC-DDDD").get_data(as_text=True)
    assert "邀请码无效、已使用或已过期" in " ".join(errors_of(page, "code"))
    page = redeem(visitor, code, username=QINGDAO).get_data(as_text=True)
    assert "不能是统一社会信用代码" in " ".join(errors_of(page, "username"))
    page = redeem(visitor, code, username=LIN).get_data(as_text=True)
    assert "用户名不能是身份证号码" in " ".join(errors_of(page, "username"))
    assert page.count(LIN) == 1 and 'name="username"' in page  # kept in the ID-number field, not the username
    page = redeem(visitor, code, password="short").get_data(as_text=True)
    assert "至少12个字符" in " ".join(errors_of(page, "password"))
    assert count(Account) == 1  # only the firm's

    assert redeem(visitor, code).status_code == 302
    again = redeem(app.test_client(), code, username="someone-else").get_data(as_text=True)
    assert "邀请码无效、已使用或已过期" in " ".join(errors_of(again, "code"))
    assert count(Account) == 2


def test_a_new_proposal_replaces_the_earlier_code(app, firm):
    first = shown_code(add_staff(firm, "林海燕", LIN).get_data(as_text=True))
    second = shown_code(add_staff(firm, "林海燕", LIN).get_data(as_text=True))
    assert second != first
    visitor = app.test_client()
    assert "邀请码无效" in " ".join(errors_of(redeem(visitor, first).get_data(as_text=True), "code"))
    assert redeem(visitor, second).status_code == 302


def test_a_move_happens_when_the_person_confirms_and_the_former_employment_ends_that_day(app, firm, other_firm):
    hire(firm, "林海燕", LIN)
    code = shown_code(add_staff(other_firm, "林海燕", LIN, title="总工程师").get_data(as_text=True))
    person = person_by_name("林海燕")
    assert person.current_employment.unit_id == unit_by(QINGDAO).id and person.title == "项目负责人"  # unchanged
    assert "林海燕" in firm.get("/practitioner/staff").get_data(as_text=True)
    assert redeem(app.test_client(), code).status_code == 302  # the person confirms
    db.session.expire_all()
    person = person_by_name("林海燕")
    employments = sorted(person.employments, key=lambda e: e.id)
    assert count(Person) == 1 and len(employments) == 2
    assert employments[0].unit_id == unit_by(QINGDAO).id and employments[0].ended_on.isoformat() == "2026-11-26"
    assert employments[1].unit_id == unit_by(HEFEI).id and employments[1].started_on.isoformat() == "2026-11-26"
    assert employments[1].ended_on is None and person.title == "总工程师"
    old_staff = firm.get("/practitioner/staff").get_data(as_text=True)
    assert "离职人员" in old_staff and LIN_MASKED in old_staff
    assert "总工程师" not in old_staff  # the old firm sees its own history, not the new title
    new_staff = other_firm.get("/practitioner/staff").get_data(as_text=True)
    assert "林海燕" in new_staff and "总工程师" in new_staff


def test_the_proposing_firm_learns_nothing_about_whether_a_number_is_registered_or_its_name(firm, other_firm):
    """No oracle (DESIGN §3): the same answer for a registered number with its name, with another name, and for
    a number nobody registered; and the registered person's record does not change."""
    hire(firm, "林海燕", LIN)

    def answer(name, id_number):
        response = add_staff(other_firm, name, id_number)
        text = response.get_data(as_text=True)
        masked = id_number[:6] + "********" + id_number[-4:]
        text = text.replace(shown_code(text), "CODE").replace(name, "NAME").replace(masked, "MASKED")
        return response.status_code, re.sub(r'name="csrf_token"[^>]*>', "", text)

    other_firm.get("/practitioner/staff")  # the registration's welcome message is shown once, before
    registered = answer("林海燕", LIN)
    other_name = answer("林燕", LIN)
    unregistered = answer("高远", GAO)
    assert registered == other_name == unregistered
    assert registered[0] == 200 and "CODE" in registered[1] and "MASKED" in registered[1]
    person = person_by_name("林海燕")
    assert person.current_employment.unit_id == unit_by(QINGDAO).id and count(Employment) == 1


def test_a_person_with_an_account_confirms_signed_in(app, firm, other_firm):
    code = shown_code(add_staff(firm, "林海燕", LIN).get_data(as_text=True))
    person_client = app.test_client()
    redeem(person_client, code)
    add_staff(other_firm, "林海燕", LIN, title="总工程师")
    person = person_by_name("林海燕")
    assert person.current_employment.unit_id == unit_by(QINGDAO).id
    home = person_client.get("/practitioner/me").get_data(as_text=True)
    assert "邀请您加入的单位" in home and "确认加入合肥" in home
    invitation = db.session.scalar(select(Invitation).where(Invitation.unit_id == unit_by(HEFEI).id))
    assert person_client.post(f"/practitioner/me/proposals/{invitation.id}/confirm").status_code == 302
    db.session.expire_all()
    person = person_by_name("林海燕")
    assert person.current_employment.unit_id == unit_by(HEFEI).id and len(person.employments) == 2
    assert "邀请您加入的单位" not in person_client.get("/practitioner/me").get_data(as_text=True)
    # another person cannot confirm someone else's proposal
    add_staff(firm, "王明", WANG)
    other = db.session.scalar(select(Invitation).where(Invitation.proposed_name == "王明"))
    assert person_client.post(f"/practitioner/me/proposals/{other.id}/confirm").status_code == 404


def test_the_firm_records_that_a_person_left(firm):
    hire(firm, "王明", WANG)
    person = person_by_name("王明")
    response = firm.post(f"/practitioner/staff/{person.id}/end")
    assert response.status_code == 302
    db.session.expire_all()
    assert person_by_name("王明").current_employment is None
    page = firm.get("/practitioner/staff").get_data(as_text=True)
    assert "尚未登记人员" in page and "离职人员" in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "employment_ended")) is not None


def test_an_invitation_stops_working_once_the_firm_ends_the_employment(app, firm):
    """A code handed to someone who then left must not open an account for them."""
    hire(firm, "林海燕", LIN)
    person = person_by_name("林海燕")
    code = shown_code(firm.post(f"/practitioner/staff/{person.id}/invitation").get_data(as_text=True))
    assert firm.post(f"/practitioner/staff/{person.id}/end").status_code == 302
    page = redeem(app.test_client(), code).get_data(as_text=True)
    assert "邀请码无效、已使用或已过期" in " ".join(errors_of(page, "code"))
    assert count(Account) == 1  # only the firm's

def test_the_firm_states_the_day_a_person_left_and_the_day_it_entered_it_is_kept(firm):
    """A departure dated in the future, or before the person joined, is refused and changes nothing;
    a stated day is kept beside the day it was entered."""
    hire(firm, "王明", WANG)
    person = person_by_name("王明")  # joined on the pinned today, 2026-11-26
    firm.post(f"/practitioner/staff/{person.id}/end", data={"ended_on": "2026-11-27"})
    firm.post(f"/practitioner/staff/{person.id}/end", data={"ended_on": "2026-11-25"})
    db.session.expire_all()
    assert person_by_name("王明").current_employment is not None
    page = firm.get("/practitioner/staff").get_data(as_text=True)
    assert "离职日期不能晚于今天" in page and "离职日期不能早于入职日期2026-11-26" in page
    assert 'name="ended_on" value="2026-11-26"' in page
    assert firm.post(f"/practitioner/staff/{person.id}/end", data={"ended_on": "2026-11-26"}).status_code == 302
    db.session.expire_all()
    employment = person_by_name("王明").employments[-1]
    assert (employment.ended_on, employment.end_entered_on) == (date(2026, 11, 26), date(2026, 11, 26))
