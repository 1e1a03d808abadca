"""Full ID numbers reach a regulator only on an explicit, audited reveal; lookups by full number are for
regulators only and are audited too."""
from sqlalchemy import select

from registry.models import AuditEvent
from tests.regulator.conftest import HF_ID, QD_ID, login_as


def events(db, action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_the_person_page_shows_only_the_masked_number_until_the_regulator_reveals_it(as_qingdao, db, world):
    url = f"/regulator/persons/{world.qd.person}"
    page = as_qingdao.get(url).get_data(as_text=True)
    assert "370202********0458" in page and QD_ID not in page
    assert "查看完整身份证号码" in page
    assert as_qingdao.get(f"{url}/reveal").status_code == 405  # a reveal is a deliberate POST, never a link
    revealed = as_qingdao.post(f"{url}/reveal")
    assert QD_ID in revealed.get_data(as_text=True)
    assert revealed.headers["Cache-Control"] == "no-store"
    [event] = events(db, "id_number_revealed")
    assert (event.record_type, event.record_id, event.actor) == ("person", world.qd.person, "qd-official")
    assert QD_ID not in str(event.detail) + str(event.before) + str(event.after)
    assert as_qingdao.get(url).get_data(as_text=True).count(QD_ID) == 0  # shown once, not kept


def test_a_lookup_by_full_id_number_finds_the_person_without_echoing_the_number(as_qingdao, db, world):
    page = as_qingdao.post("/regulator/persons/lookup", data={"id_number": QD_ID}).get_data(as_text=True)
    assert "青岛工程师" in page and "370202********0458" in page and QD_ID not in page
    assert "青岛环境修复有限公司" in page
    missing = as_qingdao.post("/regulator/persons/lookup", data={"id_number": "11010519491231002X"})
    assert "没有登记该身份证号码的个人" in missing.get_data(as_text=True)
    invalid = as_qingdao.post("/regulator/persons/lookup", data={"id_number": "110105194912310021"})
    assert invalid.status_code == 400 and "身份证号码校验位错误" in invalid.get_data(as_text=True)
    assert "110105194912310021" not in invalid.get_data(as_text=True)
    assert [e.detail for e in events(db, "person_looked_up_by_id_number")] == ["found", "not found"]


def test_a_regulator_of_another_province_cannot_reveal(client, db, world):
    login_as(client, world, "qingdao")
    response = client.post(f"/regulator/persons/{world.hf.person}/reveal")
    assert response.status_code == 403 and HF_ID not in response.get_data(as_text=True)
    assert events(db, "id_number_revealed") == []


def test_a_lookup_of_a_person_outside_the_jurisdiction_shows_no_more_than_name_and_masked_number(as_qingdao, world):
    page = as_qingdao.post("/regulator/persons/lookup", data={"id_number": HF_ID}).get_data(as_text=True)
    assert "合肥工程师" in page and "340102********0015" in page and HF_ID not in page
    assert "该个人的完整记录不在您的管辖区域内" in page
    assert f"/regulator/persons/{world.hf.person}" not in page


def test_a_full_id_number_typed_into_a_list_search_is_not_echoed(as_qingdao, world):
    for url in ["/regulator/penalties?q=", "/regulator/projects?q=", "/regulator/units?q=", "/regulator/penalties/new?find="]:
        page = as_qingdao.get(url + QD_ID).get_data(as_text=True)
        assert QD_ID not in page, url
        assert "请使用“查找个人”" in page
