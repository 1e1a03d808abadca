"""The demo a newcomer meets with `make run` (issue 12.12): another port, only demo accounts listed, the demo
firm's letter signed in its current version, staff employed since their first project."""
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.models import Employment, Project, ProjectRole, Unit
from registry.queries.practitioner import commitment_status
from registry.services.accounts import create_account
from registry.services.audit import SYSTEM
from registry.services.demo import DEMO_PERSON, demo_accounts_text, generate_records, load_demo
from registry.services.exchange import ExchangeError, import_records
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(db):
    load_demo(firms=8)
    return db.session.scalar(select(Unit).where(Unit.commitment_signed_at.is_not(None)).order_by(Unit.id))


def test_make_run_takes_a_port():
    run = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "--port 8123" in run.stdout
    default = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "--port 5000" in default.stdout


def test_a_second_run_lists_only_the_demo_accounts(db, demo):
    create_account(SYSTEM, username="9132050MA1SELF0001", password="Self-Registered-2026!", role="unit",
                   display_name="自行注册的单位", unit_id=demo.id)
    again = load_demo(firms=8)
    assert "the demo is already loaded" in again
    assert "9132050MA1SELF0001" not in again and "自行注册的单位" not in again
    for username in ("admin", "regulator-shandong", "regulator-qingdao", "regulator-suzhou", demo.uscc, DEMO_PERSON):
        assert username in again and username in demo_accounts_text()


def test_the_demo_firm_and_person_have_signed_the_letter_in_force(db, demo):
    assert commitment_status(unit_id=demo.id).state == "current"
    person = db.session.scalar(select(Employment.person_id).where(Employment.unit_id == demo.id,
                                                                 Employment.ended_on.is_(None)))
    signed = [commitment_status(person_id=e.person_id).state for e in db.session.scalars(
        select(Employment).where(Employment.unit_id == demo.id))]
    assert person is not None and "current" in signed


def test_demo_staff_are_employed_since_their_first_project_not_since_today(db, demo):
    employments = list(db.session.scalars(select(Employment)))
    assert employments and all(e.started_on < date(2026, 1, 1) for e in employments)
    for employment in employments:
        starts = list(db.session.scalars(select(Project.started_on).join(ProjectRole, ProjectRole.project_id == Project.id)
                                         .where(ProjectRole.person_id == employment.person_id)))
        if starts:
            assert employment.started_on == min(starts)


def test_the_generator_gives_every_person_with_projects_an_employment_date():
    records = list(generate_records(5))
    persons = [r for r in records if r["kind"] == "person"]
    assert persons and all(r.get("employed_since") for r in persons)


def test_an_import_refuses_an_employment_date_after_today(db):
    unit = f.unit_record()
    with pytest.raises(ExchangeError) as refused:
        import_records(SYSTEM, [unit, f.person_record(unit["uscc"], f.make_id_number(), employed_since="2099-01-01")])
    assert "入职日期不能晚于今天" in refused.value.message_zh
