"""A firm cannot choose its regulator. A complaint stays with the authority that received it, a
review with the authority that recorded it; a project's location is fixed once an authority has recorded anything
on it; a firm that moves stays visible to the authorities whose records it has. Each attack of the issue, replayed."""
from datetime import date

import pytest
from sqlalchemy import select

from registry.access import SYSTEM, Actor
from registry.extensions import db as _db
from registry.models import Complaint, Project, Unit
from registry.rules.authority import HISTORY, LOCATION, check_firm_change, locked_for_firm, record_authority
from registry.rules.errors import RuleViolation
from registry.services.complaints import advance_complaint
from registry.services.projects import ProjectData, update_project
from registry.services.regulator_accounts import create_regulator
from registry.services.units import update_unit_details
from tests import factories as f
from tests.factories import login
from tests.regulator.conftest import PASSWORD, actor_for, login_as

FINDING = "经核查，该项目合同与竣工资料系伪造，举报属实。"


def firm_actor(unit_id: int) -> Actor:
    return Actor(account_id=None, label="firm", role="unit", unit_id=unit_id)


def project_data(project: Project, **changes) -> ProjectData:
    fields = {name: getattr(project, name) for name in ProjectData.__dataclass_fields__}
    return ProjectData(**{**fields, **changes})


def roles_of(project: Project) -> list[tuple[int, str]]:
    return [(r.person_id, r.role) for r in project.roles]


@pytest.fixture
def beijing(client, world):
    create_regulator(SYSTEM, username="bj-official", display_name="京监管", division_code="110000",
                     authority_name="北京市生态环境局", password=PASSWORD)
    return "bj-official"


# ---- the rule, with plain values ---------------------------------------------------------------------------

def test_the_stored_authority_decides_and_the_location_only_stands_in_for_records_without_one():
    assert record_authority("370200", "110108") == "370200"
    assert record_authority(None, "370211") == "370211"


def test_what_is_locked_grows_with_what_the_authorities_recorded():
    assert locked_for_firm(recorded_by_authority=False, completed=False, reviewed=False) == ()
    assert locked_for_firm(recorded_by_authority=True, completed=False, reviewed=False) == (LOCATION,)
    assert locked_for_firm(recorded_by_authority=False, completed=True, reviewed=False) == HISTORY
    assert locked_for_firm(recorded_by_authority=True, completed=False, reviewed=True) == HISTORY
    check_firm_change({"name", "area_m2"}, HISTORY)  # the rest of the project stays the firm's to correct
    with pytest.raises(RuleViolation) as refused:
        check_firm_change({"division_code"}, (LOCATION,))
    assert refused.value.field == "division_code" and "更正申请" in refused.value.message_zh


# ---- the attacks ------------------------------------------------------------------------------------------

def test_a_firm_cannot_move_a_project_away_from_the_regulator_verifying_a_complaint(client, db, world, beijing):
    """Attack: while Qingdao verified a complaint, the firm set the project's location to Beijing (110108)."""
    advance_complaint(actor_for(db, world, "qingdao"), world.qd.complaint, status="verifying")
    project = db.session.get(Project, world.qd.project)
    with pytest.raises(RuleViolation) as refused:
        update_project(firm_actor(project.unit_id), project.ref, project_data(project, division_code="110108"),
                       roles_of(project))
    assert refused.value.field == "division_code"
    db.session.expire_all()
    assert db.session.get(Project, world.qd.project).division_code == "370211"

    login_as(client, world, "qingdao")
    assert client.get(f"/regulator/complaints/{world.qd.complaint}").status_code == 200
    login(client, beijing, PASSWORD)
    page = client.get(f"/regulator/complaints/{world.qd.complaint}")
    assert page.status_code == 403 and "青岛举报人" not in page.get_data(as_text=True)


def test_a_complaint_stays_with_the_authority_that_received_it_wherever_its_project_is_recorded(client, db, world,
                                                                                            beijing):
    """Even when the project's location changes (here by the national import, the authorities' own path), the
    complaint belongs to Qingdao, which received it: Qingdao keeps it and decides it, Beijing gets 403."""
    f.create(f.complaint_record("青岛-P1", "青岛-C9", complainant={"name": "青岛举报人乙", "phone": "13700000000"},
                                authority_division_code="370211"))
    complaint_id = db.session.scalar(select(Complaint.id).where(Complaint.ref == "青岛-C9"))
    project = db.session.get(Project, world.qd.project)
    f.create(f.project_record(project.unit.uscc, project.ref, division_code="110108", name=project.name,
                              people=[{"id_number": "370202198403120458", "role": "responsible_manager"}]))
    db.session.expire_all()
    assert db.session.get(Project, world.qd.project).division_code == "110108"

    login(client, beijing, PASSWORD)
    assert client.get(f"/regulator/complaints/{complaint_id}").status_code == 403
    assert client.post(f"/regulator/complaints/{complaint_id}", data={"status": "verifying"}).status_code == 403
    assert "青岛-C9" not in client.get("/regulator/complaints").get_data(as_text=True)

    login_as(client, world, "qingdao")
    assert "青岛-C9" in client.get("/regulator/complaints").get_data(as_text=True)
    page = client.get(f"/regulator/complaints/{complaint_id}").get_data(as_text=True)
    assert "青岛举报人乙" in page
    response = client.post(f"/regulator/complaints/{complaint_id}", data={"status": "verifying"})
    assert response.status_code == 302
    db.session.expire_all()
    complaint = db.session.get(Complaint, complaint_id)
    assert (complaint.status, complaint.authority_division_code) == ("verifying", "370211")


def test_a_province_deciding_a_citys_complaint_leaves_it_with_the_city(db, world):
    advance_complaint(actor_for(db, world, "shandong"), world.qd.complaint, status="verifying")
    db.session.expire_all()
    assert db.session.get(Complaint, world.qd.complaint).authority_division_code == "370211"
    advance_complaint(actor_for(db, world, "qingdao"), world.qd.complaint, status="substantiated", finding=FINDING,
                      verified_on=date(2026, 11, 20))


def test_moving_a_project_away_and_back_cannot_make_a_substantiated_finding_vanish(client, db, world):
    """Attack: the firm moved a flagged project away and back; the finding left /api/v1/units/{uscc} (1 → 0)."""
    qingdao = actor_for(db, world, "qingdao")
    advance_complaint(qingdao, world.qd.complaint, status="verifying")
    advance_complaint(qingdao, world.qd.complaint, status="substantiated", finding=FINDING,
                      verified_on=date(2026, 11, 20))
    project = db.session.get(Project, world.qd.project)
    uscc = project.unit.uscc
    assert len(client.get(f"/api/v1/units/{uscc}").get_json()["verified_false_performance"]) == 1
    for code in ("110108", "370212"):
        with pytest.raises(RuleViolation):
            update_project(firm_actor(project.unit_id), project.ref, project_data(project, division_code=code),
                           roles_of(project))
    assert len(client.get(f"/api/v1/units/{uscc}").get_json()["verified_false_performance"]) == 1


def test_a_project_with_nothing_recorded_by_an_authority_may_still_move(db, world):
    unit = db.session.get(Unit, world.qd.unit)
    f.create(f.project_record(unit.uscc, "青岛-P2", division_code="370211", completed_on=None, started_on="2026-01-05",
                              contract_deadline="2026-12-31"))
    project = db.session.scalar(select(Project).where(Project.ref == "青岛-P2"))
    update_project(firm_actor(unit.id), project.ref, project_data(project, division_code="370212"), [])
    db.session.expire_all()
    assert db.session.get(Project, project.id).division_code == "370212"


def test_a_firm_that_moves_stays_with_the_regulators_whose_records_it_has(client, db, world, beijing):
    """Attack: the firm changed its own division code and left its regulator's reach."""
    unit = db.session.get(Unit, world.qd.unit)
    update_unit_details(firm_actor(unit.id), unit.id, name=unit.name, legal_representative=unit.legal_representative,
                        division_code="110108", address=unit.address, established_on=unit.established_on,
                        contact_phone=unit.contact_phone, contact_email="office@example.cn",
                        categories=unit.category_codes)
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).division_code == "110108"
    login_as(client, world, "qingdao")
    assert client.get(f"/regulator/units/{unit.id}").status_code == 200
    assert unit.name in client.get("/regulator/units").get_data(as_text=True)
    login_as(client, world, "jinan")  # a neighbour with no record of the firm still gets nothing
    assert client.get(f"/regulator/units/{unit.id}").status_code == 403
    login(client, beijing, PASSWORD)  # the new registration jurisdiction sees the firm, and nothing of Qingdao's complaints
    assert client.get(f"/regulator/units/{unit.id}").status_code == 200
    assert client.get(f"/regulator/complaints/{world.qd.complaint}").status_code == 403
