"""The services refuse by themselves, whatever page calls them: the wrong actor gets an audited 404."""
import pytest
from sqlalchemy import select

from registry.access import AccessDenied, Actor
from registry.extensions import db
from registry.models import AuditEvent, Project
from registry.services import commitments, projects, staff, units
from tests.practitioner.conftest import QINGDAO, unit_by
from tests.practitioner.test_projects import PROJECT


def test_a_person_cannot_use_a_firms_services(firm):
    qingdao = unit_by(QINGDAO)
    outsider = Actor(account_id=None, label="someone", role="person", person_id=None, ip="127.0.0.1")
    calls = [
        lambda: units.update_unit_details(outsider, qingdao.id, name="x", legal_representative="x",
                                          division_code="370202", address=None, established_on=None,
                                          contact_phone=None, contact_email="a@b.cn", categories=["monitoring"]),
        lambda: commitments.sign_unit_commitment(outsider, qingdao.id, text_version=1, signer="张海",
                                                 truthfulness=True, consent_to_publish=True),
        lambda: staff.add_staff(outsider, name="x", id_number="370202198403120458", title=None),
        lambda: projects.create_project(outsider, projects.ProjectData(**PROJECT), []),
    ]
    for call in calls:
        with pytest.raises(AccessDenied) as denied:
            call()
        assert denied.value.status == 404
    assert len(list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")))) == 4
    assert db.session.scalar(select(Project.id)) is None and unit_by(QINGDAO).version == 1
