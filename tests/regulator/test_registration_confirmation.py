"""Registration: anyone could register any valid, unregistered credit code under any name,
and the real firm was then refused. Now a self-registration is public at once but marked 单位自主填报，尚未核验
until the firm's regulator confirms it; the regulator lists unconfirmed registrations, may suspend one and hand it
to the rightful firm after checking its licence, with a reason, audited; `flask accounts` does the same."""
import csv
import io
import json

import pytest
from sqlalchemy import select

from registry.access import AccessDenied
from registry.models import Account, AuditEvent, Unit, UnitVersion
from registry.rules.errors import RuleViolation
from registry.services.registrations import confirm_registration, hand_over_registration, suspend_registration
from tests.factories import login
from tests.practitioner.conftest import PASSWORD as FIRM_PASSWORD, QINGDAO, register, sign
from tests.regulator.conftest import actor_for, login_as

UNCHECKED = "单位自主填报，尚未核验"


@pytest.fixture
def squatted(app, db, world):
    """Someone registers Qingdao's credit code under a made-up name, and signs the commitment: public at once."""
    browser = app.test_client()
    assert register(browser, name="冒名环境科技有限公司").status_code == 302
    login(browser, QINGDAO, FIRM_PASSWORD)
    sign(browser)
    return db.session.scalar(select(Unit).where(Unit.uscc == QINGDAO)).id


def test_a_self_registration_is_public_at_once_and_marked_unchecked_everywhere(client, db, squatted):
    assert UNCHECKED in client.get(f"/units/{QINGDAO}").get_data(as_text=True)
    assert UNCHECKED in client.get("/search?q=冒名环境科技").get_data(as_text=True)
    assert client.get(f"/api/v1/units/{QINGDAO}").get_json()["registration_confirmed"] is False
    hits = client.get("/api/v1/units?q=冒名环境科技").get_json()["items"]
    assert [hit["registration_confirmed"] for hit in hits] == [False]
    imported = client.get("/api/v1/units?q=青岛环境修复").get_json()["items"]  # a firm the authorities imported
    assert imported and all(hit["registration_confirmed"] for hit in imported)


def test_the_open_data_marks_a_self_registration_unchecked_too(client, squatted):
    lines = [json.loads(line) for line in client.get("/open-data/registry-public.jsonl").get_data(as_text=True).splitlines()]
    confirmed = {line["uscc"]: line["registration_confirmed"] for line in lines if line["kind"] == "unit"}
    assert confirmed[QINGDAO] is False and any(confirmed.values())
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/unit.csv").data.decode("utf-8-sig"))))
    assert {row["uscc"]: row["registration_confirmed"] for row in rows}[QINGDAO] == "false"


def test_the_regulator_lists_unconfirmed_registrations_and_confirms_one(client, db, world, squatted):
    login_as(client, world, "qingdao")
    assert "冒名环境科技有限公司" in client.get("/regulator/units?unconfirmed=1").get_data(as_text=True)
    assert "青岛环境修复有限公司" not in client.get("/regulator/units?unconfirmed=1").get_data(as_text=True)
    assert "待核验的自主注册" in client.get("/regulator/").get_data(as_text=True)
    response = client.post(f"/regulator/units/{squatted}/registration/confirm")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, squatted).registration_confirmed_at is not None
    assert UNCHECKED not in client.get(f"/units/{QINGDAO}").get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "registration_confirmed"))


def test_only_the_firms_own_regulator_confirms_or_suspends(db, world, squatted):
    hefei = actor_for(db, world, "hefei")
    with pytest.raises(AccessDenied):
        confirm_registration(hefei, squatted)
    with pytest.raises(AccessDenied):
        suspend_registration(hefei, squatted, "冒用统一社会信用代码")
    db.session.expire_all()
    unit = db.session.get(Unit, squatted)
    assert unit.registration_confirmed_at is None and unit.registration_suspended_at is None


def test_a_squatted_code_is_suspended_and_handed_to_the_rightful_firm(app, client, db, world, squatted):
    login_as(client, world, "qingdao")
    refused = client.post(f"/regulator/units/{squatted}/registration/suspend", data={"reason": ""})
    assert refused.status_code == 400
    response = client.post(f"/regulator/units/{squatted}/registration/suspend",
                           data={"reason": "营业执照核对不符，系冒用统一社会信用代码"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.scalar(select(Account).where(Account.username == QINGDAO)).active
    login(app.test_client(), QINGDAO, FIRM_PASSWORD, refused=True)  # suspended: the form again
    assert client.get(f"/units/{QINGDAO}").status_code == 404  # nothing self-reported stays public

    page = client.post(f"/regulator/units/{squatted}/registration/hand-over",
                       data={"name": "青岛海岸带土壤修复有限公司", "legal_representative": "张海",
                             "reason": "已核对营业执照原件"}).get_data(as_text=True)
    assert "一次性密码" in page
    one_time = page.split('<code class="big">')[1].split("</code>")[0]
    db.session.expire_all()
    unit = db.session.get(Unit, squatted)
    assert (unit.name, unit.legal_representative, unit.contact_email) == ("青岛海岸带土壤修复有限公司", "张海", None)
    assert unit.registration_confirmed_at is not None and unit.registration_suspended_at is None
    assert db.session.scalar(select(UnitVersion.data).where(UnitVersion.unit_id == unit.id))["name"] == "冒名环境科技有限公司"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registration_handed_over"))
    assert event.detail == "已核对营业执照原件" and event.before["name"] == "冒名环境科技有限公司"
    rightful = app.test_client()
    login(rightful, QINGDAO, one_time)
    # the squatter's password opens nothing any more
    login(app.test_client(), QINGDAO, FIRM_PASSWORD, refused=True)


def test_a_registration_is_handed_over_only_once_suspended(db, world, squatted):
    with pytest.raises(RuleViolation, match="suspend the registration"):
        hand_over_registration(actor_for(db, world, "qingdao"), squatted, name="青岛海岸带土壤修复有限公司",
                               legal_representative="张海", reason="已核对营业执照原件")


def test_the_firms_own_view_says_what_confirmation_needs(app, squatted):
    browser = app.test_client()
    login(browser, QINGDAO, FIRM_PASSWORD)
    page = browser.get("/practitioner/").get_data(as_text=True)
    assert UNCHECKED in page and "营业执照" in page


def test_flask_accounts_confirms_suspends_and_hands_over(app, db, world, squatted):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "suspend-registration", QINGDAO, "--reason", "冒用统一社会信用代码"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["accounts", "confirm-registration", QINGDAO])
    assert result.exit_code != 0 and "suspended" in result.output
    result = runner.invoke(args=["accounts", "hand-over-registration", QINGDAO, "--name", "青岛海岸带土壤修复有限公司",
                                 "--legal-representative", "张海", "--reason", "已核对营业执照原件"])
    assert result.exit_code == 0 and "one-time password" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Unit, squatted).registration_confirmed_at is not None
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.record_type == "unit")))
    assert {"registration_suspended", "registration_handed_over"} <= actions
