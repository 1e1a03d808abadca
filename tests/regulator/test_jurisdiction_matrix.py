"""A regulator acts only within its jurisdiction: every page and every action on another province's (or
another city's) records is refused with 403, leaves an audit row, and changes nothing. Practitioners and
anonymous visitors reach no regulator page."""
import pytest
from sqlalchemy import select

from registry.access import SYSTEM
from registry.models import AuditEvent, Complaint, Penalty, Project, Review, Unit
from registry.services.accounts import create_account
from tests import factories as f
from tests.factories import login
from tests.regulator.conftest import HF_ID, PASSWORD, login_as


def reads(ids):
    return [
        f"/regulator/projects/{ids.project}",
        f"/regulator/units/{ids.unit}",
        f"/regulator/penalties/{ids.penalty}",
        f"/regulator/complaints/{ids.complaint}",
        f"/regulator/persons/{ids.person}",
        f"/regulator/withhold/unit/{ids.unit}",
        f"/regulator/withhold/project/{ids.project}",
        f"/regulator/withhold/review/{ids.review}",
        f"/regulator/withhold/penalty/{ids.penalty}",
        f"/regulator/withhold/complaint/{ids.complaint}",
        f"/regulator/audit/unit/{ids.unit}",
        f"/regulator/audit/project/{ids.project}",
        f"/regulator/audit/review/{ids.review}",
        f"/regulator/audit/penalty/{ids.penalty}",
        f"/regulator/audit/complaint/{ids.complaint}",
        f"/regulator/audit/person/{ids.person}",
    ]


def writes(ids):
    withhold = {"ground": "third_party", "explanation": "涉及第三方商业秘密"}
    return [
        (f"/regulator/projects/{ids.project}/reviews",
         {"report_type": "risk_assessment_report", "round": "2", "reviewed_on": "2026-11-01", "passed": "yes"}),
        (f"/regulator/penalties/{ids.penalty}/repair", {}),
        (f"/regulator/penalties/{ids.penalty}/repair/grant", {}),
        (f"/regulator/penalties/{ids.penalty}/repair/refuse", {"reason": "材料不全"}),
        (f"/regulator/complaints/{ids.complaint}", {"status": "verifying"}),
        (f"/regulator/complaints/{ids.verifying}",
         {"status": "substantiated", "finding": "经核查，该项目业绩系伪造，举报属实。", "verified_on": "2026-11-20"}),
        (f"/regulator/persons/{ids.person}/reveal", {}),
        (f"/regulator/withhold/unit/{ids.unit}", withhold),
        (f"/regulator/withhold/project/{ids.project}", withhold),
        (f"/regulator/withhold/review/{ids.review}", withhold),
        (f"/regulator/withhold/penalty/{ids.penalty}", withhold),
        (f"/regulator/withhold/complaint/{ids.complaint}", withhold),
    ]


def state(db):
    """Everything a regulator's action could change, as plain values."""
    db.session.expire_all()
    rows = []
    for model in (Unit, Project, Review, Penalty, Complaint):
        for record in db.session.scalars(select(model).order_by(model.id)):
            rows.append((model.__tablename__, record.id, record.non_disclosure_reason,
                         getattr(record, "status", None), getattr(record, "repaired_on", None)))
    return rows, db.session.scalar(select(Review.id).order_by(Review.id.desc()).limit(1))


def denials(db) -> int:
    return len(db.session.scalars(select(AuditEvent.id).where(AuditEvent.action == "access_denied")).all())


@pytest.mark.parametrize("who", ["qingdao", "shandong", "jinan"])
def test_a_regulator_can_read_nothing_of_another_jurisdiction(client, db, world, who):
    """Shandong's province, Qingdao's city and Jinan's city regulators all face Hefei's records; Jinan also
    faces Qingdao's (same province, another city)."""
    login_as(client, world, who)
    foreign = reads(world.hf) + (reads(world.qd) if who == "jinan" else [])
    before = denials(db)
    for url in foreign:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "合肥工程师" not in response.get_data(as_text=True)
    assert denials(db) == before + len(foreign)


@pytest.mark.parametrize("who", ["qingdao", "shandong", "jinan"])
def test_a_regulator_can_change_nothing_of_another_jurisdiction(client, db, world, who):
    login_as(client, world, who)
    foreign = writes(world.hf) + (writes(world.qd) if who == "jinan" else [])
    unchanged = state(db)
    before = denials(db)
    for url, data in foreign:
        response = client.post(url, data=data)
        assert response.status_code == 403, url
        assert HF_ID not in response.get_data(as_text=True)
    assert state(db) == unchanged
    assert denials(db) == before + len(foreign)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_account_id == world.accounts[who] and "403" in event.detail


def test_the_denial_audit_row_names_the_record_and_where_it_lies(client, db, world):
    login_as(client, world, "qingdao")
    client.post(f"/regulator/penalties/{world.hf.penalty}/repair")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")
                               .order_by(AuditEvent.id.desc())).first()
    assert (event.record_type, event.record_id, event.division_code) == ("penalty", world.hf.penalty, "340100")
    assert event.detail == "record_repair_application refused (403)"


def test_the_province_regulator_reaches_every_city_of_its_province(client, world):
    login_as(client, world, "shandong")
    for url in reads(world.qd):
        assert client.get(url).status_code == 200, url


def test_lists_show_only_the_jurisdiction(client, world):
    login_as(client, world, "qingdao")
    for url in ["/regulator/projects", "/regulator/units", "/regulator/penalties", "/regulator/complaints?status=all"]:
        page = client.get(url).get_data(as_text=True)
        assert "青岛" in page, url
        assert "合肥" not in page, url


def all_regulator_urls(world):
    urls = ["/regulator/", "/regulator/projects", "/regulator/units", "/regulator/penalties", "/regulator/penalties/new",
            "/regulator/complaints", "/regulator/persons/lookup", "/regulator/accounts", "/regulator/import"]
    return urls + reads(world.qd)


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_regulator_page(client, db, world):
    for url in all_regulator_urls(world):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url, data in writes(world.qd) + [("/regulator/penalties/new", {}), ("/regulator/accounts", {})]:
        response = client.post(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_a_practitioner_reaches_no_regulator_page(client, db, world):
    create_account(SYSTEM, username="firm-user", password=PASSWORD, role="unit", display_name="青岛环境修复有限公司",
                   unit_id=world.qd.unit)
    create_account(SYSTEM, username="person-user", password=PASSWORD, role="person", display_name="青岛工程师",
                   person_id=world.qd.person)
    for username in ("firm-user", "person-user"):
        login(client, username, PASSWORD)
        unchanged = state(db)
        before = denials(db)
        for url in all_regulator_urls(world):
            assert client.get(url).status_code == 403, url
        for url, data in writes(world.qd):
            assert client.post(url, data=data).status_code == 403, url
        assert state(db) == unchanged
        assert denials(db) == before + len(all_regulator_urls(world)) + len(writes(world.qd))
        client.post("/logout")


def test_a_regulator_cannot_open_the_administrators_pages(client, db, world):
    login_as(client, world, "shandong")
    before = denials(db)
    assert client.get("/regulator/accounts").status_code == 403
    assert client.post("/regulator/accounts", data={"username": "x"}).status_code == 403
    hefei = world.accounts["hefei"]
    assert client.post(f"/regulator/accounts/{hefei}/suspend").status_code == 403
    assert client.get("/regulator/import").status_code == 403
    assert denials(db) == before + 4


def test_the_administrator_does_not_act_on_records(client, db, world):
    """The national administrator manages accounts and imports; record workflows belong to regulators."""
    login_as(client, world, "admin")
    assert client.get(f"/regulator/projects/{world.qd.project}").status_code == 403
    assert client.post(f"/regulator/penalties/{world.qd.penalty}/repair").status_code == 403


def test_a_penalty_decided_elsewhere_is_counted_on_the_firms_page_but_not_shown(client, db, world):
    """Hefei's authority penalises the Qingdao firm (it worked in Hefei): the decision belongs to Hefei."""
    from datetime import date

    from registry.services.penalties import PenaltyInput, record_penalty
    from tests.regulator.conftest import actor_for

    from tests import factories

    uscc = db.session.get(Unit, world.qd.unit).uscc
    factories.create(factories.project_record(uscc, "青岛-合肥项目", division_code="340102"))
    penalty = record_penalty(actor_for(db, world, "hefei"), PenaltyInput(
        subject_kind="unit", subject_uscc=uscc, decision_number="合环罚〔2026〕77号", decided_on=date(2026, 11, 2),
        kinds=["warning"], **f.DOUBLE_PUBLICITY))
    login_as(client, world, "qingdao")
    page = client.get(f"/regulator/units/{world.qd.unit}").get_data(as_text=True)
    assert "青岛环罚〔2026〕1号" in page and "合环罚〔2026〕77号" not in page
    assert "另有1条在您的管辖区域外" in page
    assert client.get(f"/regulator/penalties/{penalty.id}").status_code == 403
    client.post("/logout")
    login_as(client, world, "hefei")
    assert "合环罚〔2026〕77号" in client.get(f"/regulator/penalties/{penalty.id}").get_data(as_text=True)
