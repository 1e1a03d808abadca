"""The cast of the security tests: firm A (Qingdao, province X = Shandong) and firm B (Hefei, province Y = Anhui)
with their records, an individual's account at firm A, a regulator of each province and the national
administrator, each signed in with a browser of its own; and a snapshot of everything a request could write."""
import hashlib
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import url_for
from sqlalchemy import select

from registry.access import SYSTEM
from registry.errors import CSRF_REFUSED
from registry.models import Person, Project, Unit
from registry.services.accounts import create_account
from registry.services.regulator_accounts import create_regulator
from tests import factories as f
from tests.factories import login
from tests.regulator.conftest import PASSWORD, world  # noqa: F401 (world is a fixture)

ROLES = ("anonymous", "firm_a", "firm_b", "person_a", "regulator_x", "regulator_y", "admin")
USERNAMES = {"firm_a": "firm-a", "firm_b": "firm-b", "person_a": "person-a", "regulator_x": "sd-province",
             "regulator_y": "ah-province", "admin": "national-admin"}
HOMES = {"firm_a": "/practitioner/", "firm_b": "/practitioner/", "person_a": "/practitioner/me"}
# Tables a refused request may still write: the audit trail (the refusal itself) and sign-in attempts, and the
# data generation, which their commit bumps like any write's.
LOG_TABLES = {"audit_event", "login_attempt", "data_generation", "alembic_version"}


class Browsers(dict):
    """One browser per role, signed in when a test first uses it (each sign-in costs a password hash)."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def __missing__(self, role: str):
        browser = self[role] = self.app.test_client()
        if role != "anonymous":
            login(browser, USERNAMES[role], PASSWORD)
        return browser


@pytest.fixture
def cast(app, db, world):
    """Every role of the access matrix, signed in, over the two provinces' records (`world`)."""
    qd_unit, hf_unit = db.session.get(Unit, world.qd.unit), db.session.get(Unit, world.hf.unit)
    spare = f.person_record(qd_unit.uscc, f.make_id_number("370211", "19900505"), name="青岛助理工程师")
    f.create(spare)
    create_account(SYSTEM, username=USERNAMES["firm_a"], password=PASSWORD, role="unit",
                   display_name=qd_unit.name, unit_id=qd_unit.id)
    create_account(SYSTEM, username=USERNAMES["firm_b"], password=PASSWORD, role="unit",
                   display_name=hf_unit.name, unit_id=hf_unit.id)
    create_account(SYSTEM, username=USERNAMES["person_a"], password=PASSWORD, role="person",
                   display_name="青岛工程师", person_id=world.qd.person)
    spare_practitioner = create_account(  # the person account the administrator suspends
        SYSTEM, username="person-spare", password=PASSWORD, role="person", display_name="青岛助理工程师",
        person_id=db.session.scalar(select(Person.id).where(Person.name == "青岛助理工程师"))).id
    admin_id = world.accounts["admin"]
    spare_regulator = world.accounts["qingdao"]  # a city official of province X: the account the admin suspends
    create_regulator(SYSTEM, username=USERNAMES["regulator_x"], display_name="鲁监管", division_code="370000",
                     authority_name="山东省生态环境厅", password=PASSWORD)
    create_regulator(SYSTEM, username=USERNAMES["regulator_y"], display_name="皖监管", division_code="340000",
                     authority_name="安徽省生态环境厅", password=PASSWORD)
    clients = Browsers(app)
    corrections = {tag: deadline_correction(db, ids) for tag, ids in (("qd", world.qd), ("hf", world.hf))}
    penalty_corrections = {tag: penalty_correction(ids) for tag, ids in (("qd", world.qd), ("hf", world.hf))}
    a = SimpleNamespace(**vars(world.qd), correction=corrections["qd"], record_correction=penalty_corrections["qd"], uscc=qd_unit.uscc, ref=db.session.get(Project, world.qd.project).ref,
                        public_id=db.session.get(Person, world.qd.person).public_id,
                        spare_person=db.session.scalar(select(Person.id).where(Person.name == "青岛助理工程师")))
    b = SimpleNamespace(**vars(world.hf), correction=corrections["hf"], record_correction=penalty_corrections["hf"], uscc=hf_unit.uscc, ref=db.session.get(Project, world.hf.project).ref,
                        public_id=db.session.get(Person, world.hf.person).public_id, spare_person=world.hf.person)
    return SimpleNamespace(a=a, b=b, clients=clients, world=world, spare_regulator=spare_regulator, admin=admin_id,
                           spare_practitioner=spare_practitioner)


def deadline_correction(db, ids) -> int:
    """A firm's pending request to move its reviewed project's contract deadline (a completed project's history is locked)."""
    from datetime import timedelta

    from registry.access import Actor
    from registry.services.corrections import request_correction
    from registry.services.projects import ProjectData

    project = db.session.get(Project, ids.project)
    data = ProjectData(**{name: getattr(project, name) for name in ProjectData.__dataclass_fields__})
    data = ProjectData(**{**vars(data), "contract_deadline": project.contract_deadline + timedelta(days=60)})
    firm = Actor(account_id=None, label="firm", role="unit", unit_id=project.unit_id)
    return request_correction(firm, project.ref, data, [(r.person_id, r.role) for r in project.roles],
                              "合同补充协议延长了完成期限").id


def penalty_correction(ids) -> int:
    """A firm's pending request to correct the penalty its province's authority decided on it."""
    from registry.access import Actor
    from registry.services.corrections import request_record_correction

    firm = Actor(account_id=None, label="firm", role="unit", unit_id=ids.unit)
    return request_record_correction(firm, "penalty", ids.penalty, "处罚决定书载明的罚款金额与登记的不一致").id


def mirrored(cast) -> SimpleNamespace:
    """The same cast with the firms and provinces swapped: firm B's and province Y's records in every URL."""
    return SimpleNamespace(**{**vars(cast), "a": cast.b, "b": cast.a})


def relogin(cast, role: str) -> None:
    """Sign a role's browser in again (after an allowed POST /logout ended its session)."""
    del cast.clients[role]
    cast.clients[role]  # noqa: B018 (signs in)


def url(endpoint: str, **values) -> str:
    """The path of an endpoint, built by the app's own URL map (so every cell is a real, routable URL)."""
    from flask import current_app

    with current_app.test_request_context():
        return url_for(endpoint, **values)


def snapshot(db) -> dict[str, str]:
    """A digest of every row of every table, except the logs a refusal itself writes."""
    db.session.expire_all()
    inspector = sa.inspect(db.engine)
    digests = {}
    with db.engine.connect() as conn:
        for table in sorted(set(inspector.get_table_names()) - LOG_TABLES):
            rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).all()
            digests[table] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in after if before.get(table) != after[table])


def denials(db) -> int:
    from sqlalchemy import func

    from registry.models import AuditEvent

    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "access_denied"))


@pytest.fixture
def app_config(app_config):
    """Complaints and credit reports from the one test address are not rate-limited, and complaints are not held
    for a human's fill time."""
    return {**app_config, "COMPLAINTS_PER_ADDRESS_PER_HOUR": 1000, "COMPLAINT_MIN_FILL_SECONDS": 0,
            "REPORTS_PER_ADDRESS_PER_HOUR": 1000}


def refused_for_csrf(response) -> bool:
    """Whether the answer is the refusal of a request without its CSRF token (and not another 400)."""
    return response.status_code == 400 and f"<p>{CSRF_REFUSED.message_zh}</p>" in response.get_data(as_text=True)
