"""A firm, or a person in a responsible role, may not record a project that starts during its
active ban; the refusal names the decision and the ban's end. (Imported ones: tests/regulator/test_ban_alerts.py.)"""
import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Project
from tests.factories import create, penalty_record, project_record
from tests.practitioner.conftest import LIN, QINGDAO, count, errors_of, hire, person_by_name
from tests.practitioner.test_projects import project_form


@pytest.fixture
def banned_firm(firm):
    """The firm, banned from 2026-06-01 until 2027-06-30 by a serious penalty."""
    create(penalty_record({"uscc": QINGDAO}, decision_number="青环罚〔2026〕88号", decided_on="2026-06-01",
                          kinds=["fine", "practice_ban"], severity="serious", ban={"until": "2027-06-30"}))
    return firm


def test_a_banned_firm_cannot_record_a_project_starting_during_its_ban(banned_firm):
    before = count(Project)
    page = banned_firm.post("/practitioner/projects/new", data=project_form(
        started_on="2026-07-01", contract_deadline="2026-12-31", completed_on="")).get_data(as_text=True)
    message = " ".join(errors_of(page, "started_on"))
    assert "青环罚〔2026〕88号" in message and "至2027-06-30" in message, message
    assert count(Project) == before  # a refused request changes nothing
    # a project that started before the decision is earlier work and is accepted
    assert banned_firm.post("/practitioner/projects/new", data=project_form()).status_code == 302


def test_a_person_in_a_responsible_role_whose_ban_is_active_cannot_be_named_on_a_new_project(firm):
    hire(firm, "林海燕", LIN)
    lin = person_by_name("林海燕")
    create(penalty_record({"id_number": LIN}, decision_number="鲁环罚〔2025〕3号", decided_on="2025-03-01",
                          kinds=["practice_ban"], severity="serious", ban={"lifetime": True}))
    page = firm.post("/practitioner/projects/new", data=project_form(
        [(lin.id, "responsible_manager")], started_on="2025-04-01")).get_data(as_text=True)
    message = " ".join(errors_of(page, "started_on"))
    assert "林海燕" in message and "鲁环罚〔2025〕3号" in message and "终身" in message, message
    assert count(Project) == 0
    in_progress = {"started_on": "2025-04-01", "completed_on": ""}  # not yet locked for the firm
    assert firm.post("/practitioner/projects/new", data=project_form(**in_progress)).status_code == 302
    # naming the banned person later on that project is refused too
    ref = db.session.scalar(select(Project.ref))
    page = firm.post(f"/practitioner/projects/{ref}/edit", data=project_form(
        [(lin.id, "responsible_manager")], **in_progress)).get_data(as_text=True)
    assert "鲁环罚〔2025〕3号" in " ".join(errors_of(page, "started_on"))

