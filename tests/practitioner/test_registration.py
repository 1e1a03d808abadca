"""A firm registers itself, is signed in, and can sign in again later with its credit code."""
import pytest
from sqlalchemy import select

from registry.models import Account, AuditEvent, Unit
from tests.factories import login
from tests.practitioner.conftest import HEFEI, PASSWORD, QINGDAO, account_by, count, errors_of, get_in, register


def test_a_firm_registers_and_lands_on_its_commitment_letter(app, client):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/practitioner/commitment")

    unit = app.extensions["sqlalchemy"].session.scalar(select(Unit).where(Unit.uscc == QINGDAO))
    assert unit.name == "青岛海岸带土壤修复有限公司"
    assert unit.legal_representative == "张海"
    assert unit.contact_email == "office@example.cn"
    assert unit.commitment_signed_at is None
    account = account_by(QINGDAO)
    assert account.role == "unit" and account.unit_id == unit.id
    assert account.password_hash != PASSWORD
    actions = set(app.extensions["sqlalchemy"].session.scalars(select(AuditEvent.action)))
    assert {"unit_registered", "account_created"} <= actions

    page = client.get("/practitioner/").get_data(as_text=True)
    assert "青岛海岸带土壤修复有限公司" in page
    assert "承诺书" in page  # the dashboard, in Chinese by default, says the letter is unsigned


def test_the_firm_can_sign_out_and_sign_in_again_with_its_credit_code(client):
    register(client)
    client.post("/logout")
    assert client.get("/practitioner/").status_code == 302  # signed out: sent to the login page
    response = login(client, QINGDAO, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/practitioner/")
    assert "青岛海岸带土壤修复有限公司" in client.get("/practitioner/").get_data(as_text=True)


def test_a_credit_code_registers_only_once(client, app):
    register(client)
    client.post("/logout")
    second = register(client, name="冒名公司", contact_email="other@example.cn")
    page = second.get_data(as_text=True)
    assert second.status_code == 200
    assert "该统一社会信用代码已经注册" in " ".join(errors_of(page, "uscc"))
    assert count(Unit) == 1 and count(Account) == 1
    assert app.extensions["sqlalchemy"].session.scalar(select(Unit.name)) == "青岛海岸带土壤修复有限公司"


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"uscc": "9137020035791357M1"}, "uscc", "校验位错误"),
    ({"uscc": "91370200"}, "uscc", "应为18位"),
    ({"name": ""}, "name", "必填"),
    ({"division_code": "99"}, "division_code", "6位数字"),
    ({"division_code": "990101"}, "division_code", "省级代码不存在"),
    ({"legal_representative": ""}, "legal_representative", "必填"),
    ({"contact_email": "not-an-address"}, "contact_email", "邮箱格式不正确"),
    ({"password": "short", "confirm": "short"}, "password", "至少12个字符"),
    ({"password": "password1234", "confirm": "password1234"}, "password", "过于常见"),
    ({"confirm": "something-else-entirely"}, "confirm", "两次输入的密码不一致"),
])
def test_each_registration_error_shows_beside_its_field_and_nothing_is_saved(client, overrides, field, message):
    response = register(client, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert any(message in error for error in errors_of(page, field)), errors_of(page, field)
    assert "未保存任何内容" in page
    assert count(Unit) == 0 and count(Account) == 0


def test_the_registration_page_is_chinese_by_default_and_english_on_request(client):
    assert "从业单位注册" in client.get("/practitioner/register").get_data(as_text=True)
    english = get_in(client, "/practitioner/register", "en")
    assert "Register a firm" in english and "Unified social credit code" in english


def test_a_second_firm_registers_independently(client):
    register(client)
    client.post("/logout")
    response = register(client, uscc=HEFEI, name="合肥庐州环境检测有限公司", division_code="340102",
                        legal_representative="李庐", contact_email="hf@example.cn")
    assert response.status_code == 302
    assert count(Unit) == 2 and account_by(HEFEI).role == "unit"
