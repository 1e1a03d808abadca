"""After-the-fact edits rewrote public rates (a completed project's deadline moved from late to on
time). Locked history now changes only by a correction request the competent regulator accepts; the public page
then says the record was corrected, and when."""
from datetime import date

import pytest
from sqlalchemy import select

from registry import figures
from registry.access import AccessDenied, Actor
from registry.models import AuditEvent, Project, ProjectCorrection, ProjectVersion
from registry.queries.rates import unit_on_time
from registry.rules.errors import RuleViolation
from registry.services.corrections import decide_correction, request_correction
from registry.services.projects import ProjectData
from tests.regulator.conftest import actor_for, login_as

REASON = "合同补充协议将完成期限延长至2024年8月"


def late_project_correction(db, world) -> int:
    """The Qingdao project finished 2024-06-01; its firm asks to move the deadline after it (and back before)."""
    project = db.session.get(Project, world.qd.project)
    project.contract_deadline = date(2024, 5, 1)  # late by a month, as the authorities recorded it
    figures.touch(db.session, [project.unit_id])  # written around the services: counted as a service would
    db.session.commit()
    fields = {name: getattr(project, name) for name in ProjectData.__dataclass_fields__}
    data = ProjectData(**{**fields, "contract_deadline": date(2024, 8, 31)})
    firm = Actor(account_id=None, label="firm", role="unit", unit_id=project.unit_id)
    return request_correction(firm, project.ref, data, [(r.person_id, r.role) for r in project.roles], REASON).id


def test_a_correction_changes_nothing_until_the_regulator_accepts_it_and_then_the_page_says_so(client, db, world):
    correction_id = late_project_correction(db, world)
    assert unit_on_time(db.session, [world.qd.unit])[world.qd.unit].part == 0
    assert "已于" not in client.get("/projects/青岛-P1").get_data(as_text=True)

    login_as(client, world, "qingdao")
    assert "青岛-P1" in client.get("/regulator/corrections").get_data(as_text=True)
    page = client.get(f"/regulator/corrections/{correction_id}").get_data(as_text=True)
    assert REASON in page and "2024-08-31" in page and "2024-05-01" in page
    response = client.post(f"/regulator/corrections/{correction_id}", data={"decision": "accept", "note": ""})
    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, world.qd.project)
    assert project.contract_deadline == date(2024, 8, 31) and project.corrected_at is not None
    assert db.session.scalar(select(ProjectVersion.data).where(ProjectVersion.project_id == project.id)
                             .order_by(ProjectVersion.version.desc()))["contract_deadline"] == "2024-05-01"
    assert unit_on_time(db.session, [world.qd.unit])[world.qd.unit].part == 1
    public = client.get("/projects/青岛-P1").get_data(as_text=True)
    assert "本记录已于" in public and "更正" in public
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"correction_requested", "project_corrected", "correction_accepted"} <= actions


def test_only_the_regulator_where_the_project_lies_decides_and_a_refusal_needs_a_note(db, world):
    correction_id = late_project_correction(db, world)
    with pytest.raises(AccessDenied):
        decide_correction(actor_for(db, world, "hefei"), correction_id, accept=True)
    qingdao = actor_for(db, world, "qingdao")
    with pytest.raises(RuleViolation, match="refused"):
        decide_correction(qingdao, correction_id, accept=False)
    decide_correction(qingdao, correction_id, accept=False, note="补充协议未经备案")
    db.session.expire_all()
    assert db.session.get(ProjectCorrection, correction_id).status == "refused"
    assert db.session.get(Project, world.qd.project).contract_deadline == date(2024, 5, 1)
    with pytest.raises(RuleViolation, match="already decided"):
        decide_correction(qingdao, correction_id, accept=True)


def test_a_request_must_touch_a_locked_field(db, world):
    project = db.session.get(Project, world.qd.project)
    fields = {name: getattr(project, name) for name in ProjectData.__dataclass_fields__}
    firm = Actor(account_id=None, label="firm", role="unit", unit_id=project.unit_id)
    with pytest.raises(RuleViolation) as refused:
        request_correction(firm, project.ref, ProjectData(**{**fields, "name": "新名称"}),
                           [(r.person_id, r.role) for r in project.roles], REASON)
    assert refused.value.field == "correction_reason"
