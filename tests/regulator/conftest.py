"""The regulators' world: two provinces (Shandong 37, Anhui 34), each with a firm, a person, projects,
reviews, a penalty and complaints, imported through the exchange format; and regulator accounts."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from registry.access import SYSTEM, Actor
from registry.models import AuditEvent, Complaint, Penalty, Person, Project, Review, Unit
from registry.services.regulator_accounts import create_admin, create_regulator
from tests import factories as f
from tests.factories import login

PASSWORD = "Regulator-Pass-2026!"
QD_ID = "370202198403120458"
HF_ID = "340102198502140015"


def _province(prefix: str, city: str, county: str, authority: str, person_id: str, tag: str) -> list[dict]:
    unit = f.unit_record(division_code=county, name=f"{tag}环境修复有限公司")
    person = f.person_record(unit["uscc"], person_id, name=f"{tag}工程师")
    project = f.project_record(unit["uscc"], f"{tag}-P1", division_code=county, name=f"{tag}化工厂地块修复",
                               category="risk_assessment",
                               people=[{"id_number": person_id, "role": "responsible_manager"}])
    review = f.review_record(project["ref"], 1, passed=False, authority=authority, authority_division_code=city,
                             report_type="risk_assessment_report")
    penalty = f.penalty_record({"uscc": unit["uscc"]}, f"{tag}环罚〔2026〕1号", authority=authority,
                               authority_division_code=city, decided_on="2026-01-10")
    received = f.complaint_record(project["ref"], f"{tag}-C1", authority=None, authority_division_code=None,
                                  complainant={"name": f"{tag}举报人", "phone": "13600000000"})
    verifying = f.complaint_record(project["ref"], f"{tag}-C2", status="verifying", authority=None,
                                   authority_division_code=None)
    return [unit, person, project, review, penalty, received, verifying]


def ids_for(db, tag: str) -> SimpleNamespace:
    project = db.session.scalar(select(Project).where(Project.ref == f"{tag}-P1"))
    return SimpleNamespace(
        unit=project.unit_id,
        project=project.id,
        review=db.session.scalar(select(Review.id).where(Review.project_id == project.id)),
        penalty=db.session.scalar(select(Penalty.id).where(Penalty.unit_id == project.unit_id)),
        complaint=db.session.scalar(select(Complaint.id).where(Complaint.ref == f"{tag}-C1")),
        verifying=db.session.scalar(select(Complaint.id).where(Complaint.ref == f"{tag}-C2")),
        person=project.roles[0].person_id,
    )


STAFF = {
    "qingdao": ("qd-official", "王监管", "370200", "青岛市生态环境局"),
    "shandong": ("sd-official", "李监管", "370000", "山东省生态环境厅"),
    "jinan": ("jn-official", "赵监管", "370100", "济南市生态环境局"),
    "hefei": ("hf-official", "孙监管", "340100", "合肥市生态环境局"),
    "admin": ("national-admin", "部管理员", None, None),
}


class StaffAccounts(dict):
    """Regulator accounts made on first use (each password hash costs ~0.1 s): `accounts["qingdao"]` is an id."""

    def __missing__(self, who: str) -> int:
        username, name, division, authority = STAFF[who]
        if who == "admin":
            account = create_admin(SYSTEM, username=username, display_name=name, password=PASSWORD)
        else:
            account = create_regulator(SYSTEM, username=username, display_name=name, division_code=division,
                                       authority_name=authority, password=PASSWORD)
        self[who] = account.id
        return account.id


@pytest.fixture
def world(db):
    """Shandong (Qingdao) and Anhui (Hefei) records; regulators of Qingdao, Jinan, Shandong and Hefei and the
    national administrator, made when a test first names them."""
    f.create(*_province("37", "370200", "370211", "青岛市生态环境局", QD_ID, "青岛"),
             *_province("34", "340100", "340102", "合肥市生态环境局", HF_ID, "合肥"))
    return SimpleNamespace(qd=ids_for(db, "青岛"), hf=ids_for(db, "合肥"), accounts=StaffAccounts())


def login_as(client, world, who: str):
    """Sign in as one of the staff accounts (creating it first if needed)."""
    world.accounts[who]
    return login(client, STAFF[who][0], PASSWORD)


def actor_for(db, world, who: str) -> Actor:
    from registry.models import Account

    return Actor.of(db.session.get(Account, world.accounts[who]), "127.0.0.1")


@pytest.fixture
def as_qingdao(client, world):
    login_as(client, world, "qingdao")
    return client


def audit_count(db, action: str | None = None) -> int:
    query = select(func.count(AuditEvent.id))
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalar(query)


def person_by_name(db, name: str) -> Person:
    return db.session.scalar(select(Person).where(Person.name == name))


def unit_by_name(db, name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.name == name))
