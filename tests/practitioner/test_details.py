"""The firm keeps its basic information: every change keeps the earlier version and is audited."""
import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEvent, UnitVersion
from tests.practitioner.conftest import QINGDAO, count, errors_of, unit_by

DETAILS = {
    "name": "青岛海岸带土壤修复有限公司", "legal_representative": "张海", "division_code": "370202",
    "address": "山东省青岛市市南区香港中路1号", "established_on": "2015-06-01", "contact_phone": "0532-80000001",
    "contact_email": "office@example.cn", "categories": ["investigation", "risk_assessment"],
}


def post_details(client, **overrides):
    return client.post("/practitioner/details", data={**DETAILS, **overrides})


def test_the_form_starts_from_the_current_values(firm):
    page = firm.get("/practitioner/details").get_data(as_text=True)
    assert 'value="青岛海岸带土壤修复有限公司"' in page and 'value="370202"' in page
    assert "9137020035791357M0" in page


def test_an_edit_keeps_the_earlier_version_and_audits_before_and_after(firm):
    assert post_details(firm).status_code == 302
    unit = unit_by(QINGDAO)
    assert unit.version == 2 and unit.address == "山东省青岛市市南区香港中路1号"
    assert sorted(unit.category_codes) == ["investigation", "risk_assessment"]
    earlier = db.session.scalar(select(UnitVersion))
    assert earlier.version == 1 and earlier.data["address"] is None and earlier.data["categories"] == []

    assert post_details(firm, name="青岛海岸带环境科技有限公司", categories=["investigation"]).status_code == 302
    db.session.expire_all()
    unit = unit_by(QINGDAO)
    assert unit.version == 3 and unit.category_codes == ["investigation"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit_updated")
                              .order_by(AuditEvent.id.desc()))
    assert event.before["name"] == "青岛海岸带土壤修复有限公司"
    assert event.after["name"] == "青岛海岸带环境科技有限公司"
    assert event.before["categories"] == ["investigation", "risk_assessment"]

    history = firm.get("/practitioner/details/history").get_data(as_text=True)
    assert "第2版" in history and "第1版" in history and "土壤污染风险评估" in history


def test_saving_unchanged_details_makes_no_new_version(firm):
    post_details(firm)
    post_details(firm)
    assert unit_by(QINGDAO).version == 2 and count(UnitVersion) == 1


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"name": ""}, "name", "必填"),
    ({"legal_representative": ""}, "legal_representative", "必填"),
    ({"division_code": "37020"}, "division_code", "6位数字"),
    ({"established_on": "2015-13-01"}, "established_on", "YYYY-MM-DD"),
    ({"established_on": "2027-01-01"}, "established_on", "成立日期不能晚于今天"),
    ({"contact_email": "office"}, "contact_email", "邮箱格式不正确"),
    ({"categories": []}, "categories", "请至少选择一个从业类别"),
])
def test_each_error_shows_beside_its_field_and_nothing_changes(firm, overrides, field, message):
    page = post_details(firm, **overrides).get_data(as_text=True)
    assert any(message in e for e in errors_of(page, field)), (field, errors_of(page, field))
    assert unit_by(QINGDAO).version == 1 and count(UnitVersion) == 0


def test_an_unknown_category_posted_by_hand_is_refused(firm):
    page = post_details(firm, categories=["investigation", "astrology"]).get_data(as_text=True)
    assert errors_of(page, "categories")
    assert unit_by(QINGDAO).version == 1
