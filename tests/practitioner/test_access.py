"""A firm touches only its own records: another firm's record is a 404 and an audit event, whether reached
by URL or smuggled into a form. Each role stays in its own room, and full ID numbers stay off every page."""
import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEvent, Employment, Invitation, Project
from registry.services.accounts import system_create_account
from tests.factories import login
from tests.practitioner.conftest import (GAO, HEFEI, LIN, PASSWORD, QINGDAO, account_by, add_staff, count, hire,
                                         person_by_name, shown_code, sign)
from tests.practitioner.test_projects import project_form


@pytest.fixture
def qingdao_records(firm):
    """Qingdao's staff member and draft project (its commitment unsigned: nothing public yet)."""
    hire(firm, "林海燕", LIN)
    lin = person_by_name("林海燕")
    firm.post("/practitioner/projects/new", data=project_form([(lin.id, "responsible_manager")]))
    return lin, db.session.scalar(select(Project))


def denials(username: str) -> list[AuditEvent]:
    account = account_by(username)
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_denied", AuditEvent.actor_account_id == account.id)
    ))


def test_another_firms_project_is_a_404_by_url_and_the_attempt_is_audited(qingdao_records, other_firm):
    _, project = qingdao_records
    for url in (f"/practitioner/projects/{project.ref}", f"/practitioner/projects/{project.ref}/edit"):
        response = other_firm.get(url)
        assert response.status_code == 404
        assert "青岛某电镀厂地块" not in response.get_data(as_text=True)
    events = denials(HEFEI)
    assert len(events) == 2
    assert {e.record_type for e in events} == {"project"} and {e.record_id for e in events} == {project.id}


def test_another_firms_project_cannot_be_changed_by_posting_to_its_url(qingdao_records, other_firm):
    _, project = qingdao_records
    response = other_firm.post(f"/practitioner/projects/{project.ref}/edit", data=project_form(name="篡改"))
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(Project.name)) == "青岛某电镀厂地块土壤污染风险评估"
    assert db.session.scalar(select(Project.version)) == 1
    assert len(denials(HEFEI)) == 1


def test_another_firms_staff_member_smuggled_into_a_project_form_is_a_404(qingdao_records, other_firm):
    lin, _ = qingdao_records
    response = other_firm.post("/practitioner/projects/new",
                               data=project_form([(lin.id, "responsible_manager")], name="合肥项目"))
    assert response.status_code == 404
    assert count(Project) == 1
    events = denials(HEFEI)
    assert [(e.record_type, e.record_id) for e in events] == [("person", lin.id)]


def test_another_firms_staff_member_smuggled_into_an_edit_is_a_404(qingdao_records, other_firm, app):
    lin, _ = qingdao_records
    other_firm.post("/practitioner/projects/new", data=project_form(name="合肥项目"))
    hefei_project = db.session.scalar(select(Project).where(Project.name == "合肥项目"))
    response = other_firm.post(f"/practitioner/projects/{hefei_project.ref}/edit",
                               data=project_form([(lin.id, "other_responsible")], name="合肥项目"))
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Project, hefei_project.id).roles == []
    assert len(denials(HEFEI)) == 1


def test_another_firms_staff_member_cannot_be_invited_or_ended(qingdao_records, other_firm):
    lin, _ = qingdao_records
    assert other_firm.post(f"/practitioner/staff/{lin.id}/invitation").status_code == 404
    assert other_firm.post(f"/practitioner/staff/{lin.id}/end").status_code == 404
    assert count(Invitation) == 1
    assert db.session.scalar(select(Employment.ended_on)) is None
    assert len(denials(HEFEI)) == 2


def test_an_unknown_reference_is_a_plain_404(firm):
    assert firm.get("/practitioner/projects/P-000000000000").status_code == 404
    assert firm.post("/practitioner/staff/99999/end").status_code == 404


def test_each_role_stays_in_its_own_room(app, firm):
    code = shown_code(add_staff(firm, "高远", GAO).get_data(as_text=True))
    person = app.test_client()
    person.post("/practitioner/invitation", data={"code": code, "id_number": GAO, "username": "gaoyuan",
                                                  "password": PASSWORD, "confirm": PASSWORD})
    assert person.get("/practitioner/").headers["Location"].endswith("/practitioner/me")
    assert person.get("/practitioner/projects/new").headers["Location"].endswith("/practitioner/me")
    assert firm.get("/practitioner/me").headers["Location"].endswith("/practitioner/")

    system_create_account(username="qd-regulator", password=PASSWORD, role="regulator", display_name="青岛市生态环境局",
                          division_code="370200")
    regulator = app.test_client()
    login(regulator, "qd-regulator", PASSWORD)
    assert regulator.get("/practitioner/").status_code == 403
    assert app.test_client().get("/practitioner/staff").headers["Location"].startswith("/login")


def test_the_firms_pages_show_only_masked_id_numbers(app, firm):
    code = shown_code(add_staff(firm, "林海燕", LIN).get_data(as_text=True))
    lin = person_by_name("林海燕")
    person = app.test_client()  # the person confirms by redeeming the code: now on the firm's staff
    person.post("/practitioner/invitation", data={"code": code, "id_number": LIN, "username": "linhaiyan",
                                                  "password": PASSWORD, "confirm": PASSWORD})
    sign(firm)
    firm.post("/practitioner/projects/new", data=project_form([(lin.id, "responsible_manager")]))
    project = db.session.scalar(select(Project))
    firm.post(f"/practitioner/projects/{project.ref}/edit", data=project_form([(lin.id, "other_responsible")]))
    pages = [firm.get(url).get_data(as_text=True) for url in (
        "/practitioner/", "/practitioner/staff", "/practitioner/projects", "/practitioner/projects/new",
        f"/practitioner/projects/{project.ref}", f"/practitioner/projects/{project.ref}/edit",
        "/practitioner/details/history")]
    pages.append(firm.post(f"/practitioner/staff/{lin.id}/end").get_data(as_text=True))
    pages.append(person.get("/practitioner/me").get_data(as_text=True))
    for page in pages:
        assert LIN not in page
    assert any("370202********0458" in page for page in pages)


def test_forms_refuse_a_post_without_the_csrf_token(app_config):
    from registry.app import create_app
    from registry.models import Unit
    from tests.practitioner.conftest import firm_data

    app_config["WTF_CSRF_ENABLED"] = True
    app = create_app(app_config)
    with app.app_context():
        client = app.test_client()
        page = client.get("/practitioner/register").get_data(as_text=True)
        assert 'name="csrf_token"' in page
        assert client.post("/practitioner/register", data=firm_data()).status_code == 400
        assert db.session.scalar(select(Unit.id).where(Unit.uscc == QINGDAO)) is None
        db.session.remove()
        db.engine.dispose()
