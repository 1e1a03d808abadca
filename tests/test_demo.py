"""The demo a newcomer meets with `make run`: another port, only demo accounts listed, the demo
firm's letter signed in its current version, staff employed since their first project."""
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.access import SYSTEM, Actor
from registry.clock import today
from registry.models import Account, Complaint, Employment, Penalty, Project, ProjectRole, Unit
from registry.queries.desk import open_complaints, unreviewed_projects
from registry.queries.practitioner import commitment_status
from registry.reference import COMPLAINT_STATUSES
from registry.rules.errors import RuleViolation
from registry.rules.publicity import repair_possible_from
from registry.services.accounts import create_account
from registry.services.demo import DEMO_PERSON, demo_accounts_text, generate_records, load_demo, regulator_records
from registry.services.repair import grant_repair, record_repair_application
from registry.exchange import ExchangeError, import_records
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


@pytest.mark.parametrize("username", ["regulator-suzhou", "regulator-qingdao", "regulator-shandong"])
def test_each_demo_regulator_has_repairs_complaints_and_reviews_to_do_in_its_own_area(db, demo, username):
    regulator = db.session.scalar(select(Account).where(Account.username == username))
    area = regulator.division_code.rstrip("0")
    day = today()
    penalties = [p for p in db.session.scalars(select(Penalty)) if p.authority_division_code == regulator.division_code]
    assert all(p.unit.division_code.startswith(area) for p in penalties)
    repairable = [p for p in penalties if p.repaired_on is None and repair_possible_from(p.severity, p.decided_on) <= day]
    not_yet = [p for p in penalties if p.repaired_on is None and repair_possible_from(p.severity, p.decided_on) > day]
    assert repairable and not_yet and any(p.repaired_on is not None for p in penalties)
    complaints = db.session.scalars(select(Complaint).join(Project, Project.id == Complaint.project_id)
                                    .where(Complaint.authority_division_code == regulator.division_code,
                                           Project.division_code.startswith(area)))
    assert {c.status for c in complaints} == set(COMPLAINT_STATUSES)
    (unreviewed, awaiting_review), (_open, open_total) = (unreviewed_projects(Actor.of(regulator), 50),
                                                          open_complaints(Actor.of(regulator), 50))
    assert awaiting_review >= 2 and open_total >= 2  # the desk's work queues
    assert all(db.session.get(Project, item.args["project_id"]).division_code.startswith(area) for item in unreviewed)
    for penalty in (repairable[0], not_yet[0]):  # the regulator can try repair on both, in its jurisdiction
        record_repair_application(Actor.of(regulator), penalty.id, applied_on=day, grounds="已整改完毕",
                                  materials=["application_letter"])
    assert grant_repair(Actor.of(regulator), repairable[0].id).status == "granted"
    assert repairable[0].repaired_on == day
    with pytest.raises(RuleViolation, match="minimum publicity period has not passed"):
        grant_repair(Actor.of(regulator), not_yet[0].id)


def test_the_regulators_cases_come_after_the_generated_data_and_share_no_key_with_it(db, demo):
    def keys(records):
        return {r.get("uscc") or r.get("ref") or r.get("decision_number") or r.get("id_number") for r in records} - {None}
    generated, cases = list(generate_records(8)), regulator_records(today())
    assert not keys(generate_records(120)) & keys(cases)
    units = list(db.session.scalars(select(Unit.uscc).order_by(Unit.id)))
    assert units == [r["uscc"] for r in generated + cases if r["kind"] == "unit"]  # the generated firms first, as before
