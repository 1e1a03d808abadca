"""The SQL of `registry.visibility` and the pure rules of `registry.rules.disclosure` agree, record by
record, on every day around the boundaries: the portal, the API and the export can never disagree with a rule."""
import random
from datetime import date, timedelta

from sqlalchemy import select

from registry import visibility
from registry.access import SYSTEM, Actor
from registry.models import Complaint, Penalty, Person, Project, Unit
from registry.models.unit import BASIC_PUBLIC, BASIC_WITHHELD, WITHHELD
from registry.queries.rates import unit_on_time
from registry.rules.disclosure import ban_is_public, complaint_is_public, penalty_is_public, practitioner_record_is_public
from registry.rules.publicity import repair_possible_from
from registry.rules.rates import counts_toward_on_time, on_time_rate
from registry.services.disclosure import mark_non_disclosed
from registry.services.registrations import suspend_registration
from registry.services.regulator_accounts import create_regulator
from tests.factories import (complaint_record, create, make_id_number, penalty_record, person_record, project_record,
                             unit_record)

TODAY = date(2026, 11, 26)  # the tests' pinned date


def varied_penalties(unit_uscc: str, rng: random.Random, count: int) -> list[dict]:
    records = []
    for n in range(count):
        decided = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 700))  # both sides of 2026-04-01
        record = penalty_record({"uscc": unit_uscc}, decision_number=f"测罚〔{n}〕号", decided_on=decided.isoformat(),
                                severity=rng.choice(["minor", "ordinary", "serious"]))
        if rng.random() < 0.3:
            record["ban"] = rng.choice([{"lifetime": True}, {"until": (decided + timedelta(days=rng.randrange(1, 900))).isoformat()}])
            record["severity"] = "serious"  # Soil Law art. 90: a ban only on a serious penalty
            record["kinds"] = ["fine", "practice_ban"]  # a ban is the penalty kind 禁止从业
        if rng.random() < 0.3:  # granted on or after the first day the rule allows, and not after today
            repaired = repair_possible_from(record["severity"], decided) + timedelta(days=rng.randrange(0, 300))
            if repaired <= TODAY:
                record["repaired_on"] = repaired.isoformat()
        if rng.random() < 0.15:
            record["non_disclosed"] = {"reason": "《政府信息公开条例》第十四条"}
        records.append(record)
    return records


def test_penalty_and_ban_clauses_agree_with_the_rules_on_every_day(db, app):
    rng = random.Random(7)
    unit = unit_record()
    create(unit, *varied_penalties(unit["uscc"], rng, 60))
    penalties = db.session.scalars(select(Penalty)).all()
    rules = app.config["PUBLICITY_RULES"]
    days = {date(2025, 1, 1) + timedelta(days=offset) for offset in range(0, 1900, 7)}
    days |= {p.publicity_ends_on for p in penalties} | {p.publicity_ends_on + timedelta(days=1) for p in penalties}
    days |= {p.repaired_on for p in penalties if p.repaired_on} | {p.ban_until + timedelta(days=1) for p in penalties if p.ban_until}
    seen_public, seen_banned = set(), set()
    for day in sorted(days):
        shown = set(db.session.scalars(select(Penalty.id).where(visibility.penalty_public(day, rules))))
        banned = set(db.session.scalars(select(Penalty.id).where(visibility.ban_public(day))))
        for p in penalties:
            withheld = p.non_disclosure_reason is not None
            assert (p.id in shown) == penalty_is_public(
                severity=p.severity, decided_on=p.decided_on, publicity_ends_on=p.publicity_ends_on,
                repaired_on=p.repaired_on, non_disclosed=withheld, today=day, rules=rules), (day, p.decision_number)
            assert (p.id in banned) == ban_is_public(decided_on=p.decided_on, ban_until=p.ban_until,
                                                     ban_lifetime=p.ban_lifetime, non_disclosed=withheld, today=day)
        seen_public |= shown
        seen_banned |= banned
    assert 10 < len(seen_public) < len(penalties)  # the data exercise both answers
    assert 0 < len(seen_banned) < len(penalties)


def test_complaint_clause_agrees_with_the_rule(db):
    unit = unit_record()
    project = project_record(unit["uscc"])
    records = [complaint_record(project["ref"], status=status, **({"non_disclosed": {"reason": "依法不予公开"}} if hidden else {}))
               for status in ("received", "verifying", "substantiated", "unsubstantiated") for hidden in (False, True)]
    create(unit, project, *records)
    shown = set(db.session.scalars(select(Complaint.id).where(visibility.complaint_public())))
    for complaint in db.session.scalars(select(Complaint)):
        assert (complaint.id in shown) == complaint_is_public(complaint.status, complaint.non_disclosure_reason is not None)
    assert len(shown) == 1


def test_on_time_clause_agrees_with_the_rule_around_each_finding_date(db):
    """A project found false leaves the on-time rate from the finding's date, in SQL as in the pure rule."""
    rng = random.Random(11)
    unit = unit_record()
    projects, complaints = [], []
    for n in range(30):
        done = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 300))
        project = project_record(unit["uscc"], completed_on=done.isoformat(),
                                 contract_deadline=(done + timedelta(days=rng.randrange(-30, 30))).isoformat())
        projects.append(project)
        if rng.random() < 0.5:
            status = rng.choice(["received", "substantiated", "substantiated", "unsubstantiated"])
            verified = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 200))
            extra = {"non_disclosed": {"reason": "依法不予公开"}} if rng.random() < 0.2 else {}
            complaints.append(complaint_record(project["ref"], status=status, received_on="2025-12-01",
                                               verified_on=verified.isoformat() if status != "received" else None,
                                               **extra))
    create(unit, *projects, *complaints)
    unit_id = db.session.scalar(select(Project.unit_id).limit(1))
    found_false = {c.project_id: c.verified_on for c in db.session.scalars(select(Complaint).where(visibility.complaint_public()))}
    days = {date(2025, 12, 31)} | set(found_false.values()) | {d - timedelta(days=1) for d in found_false.values()}
    rates = set()
    for day in sorted(days):
        counted = [(p.contract_deadline, p.completed_on) for p in db.session.scalars(select(Project))
                   if counts_toward_on_time(found_false.get(p.id), day)]
        assert unit_on_time(db.session, [unit_id], day)[unit_id] == on_time_rate(counted), day
        rates.add(on_time_rate(counted).total)
    assert len(rates) > 3  # findings take projects out one after another


def test_basic_information_clauses_agree_with_the_rule_and_the_row_predicates(db):
    """Firms and persons signed or not, withheld or not, and (firms) suspended or not: the SQL, the predicate on
    a loaded row (what the profile pages use) and the pure rule say the same."""
    withheld = {"non_disclosed": {"reason": "《政府信息公开条例》第十四条"}}
    units = [unit_record(signed=signed, **(withheld if hidden else {})) for signed in (True, False) for hidden in (False, True)
             for _ in range(2)]
    persons = [person_record(units[0]["uscc"], make_id_number(serial=900 + n), signed=signed, **(withheld if hidden else {}))
               for n, (signed, hidden) in enumerate((s, h) for s in (True, False) for h in (False, True))]
    create(*units, *persons)
    for uscc in (units[1]["uscc"], units[5]["uscc"]):  # one signed and one unsigned firm suspended
        suspend_registration(SYSTEM, db.session.scalar(select(Unit.id).where(Unit.uscc == uscc)), "冒用他人名义注册")
    db.session.expire_all()
    shown_units = set(db.session.scalars(select(Unit.id).where(visibility.unit_basic_public())))
    for unit in db.session.scalars(select(Unit)):
        rule = practitioner_record_is_public(commitment_in_force=unit.commitment_signed_at is not None,
                                             non_disclosed=unit.non_disclosure_reason is not None,
                                             registration_suspended=unit.registration_suspended_at is not None)
        assert (unit.id in shown_units) == rule == visibility.unit_basic_is_public(unit), unit.name
    shown_persons = set(db.session.scalars(select(Person.id).where(visibility.person_basic_public())))
    for person in db.session.scalars(select(Person)):
        rule = practitioner_record_is_public(commitment_in_force=person.commitment_signed_at is not None,
                                             non_disclosed=person.non_disclosure_reason is not None)
        assert (person.id in shown_persons) == rule == visibility.person_basic_is_public(person), person.name
    assert len(shown_units) == 1 and len(shown_persons) == 1  # signed, not withheld, not suspended: one of each


def test_the_index_of_public_firms_by_division_holds_what_unit_basic_public_selects():
    """ix_unit_public_division is partial: a search within a province reads its firms from it only while its
    condition is, word for word, the one `unit_basic_public` writes (SQLite's planner matches the terms)."""
    written = str(visibility.unit_basic_public().compile(compile_kwargs={"literal_binds": True}))
    assert written.replace("unit.", "") == BASIC_PUBLIC


def test_the_indexes_of_the_firms_set_aside_hold_what_their_clauses_select():
    """ix_unit_basic_withheld and ix_unit_withheld are partial: a parcel search reads the firms it sets aside
    from them only while their conditions are, word for word, the clauses it writes."""
    written = str(visibility.unit_basic_withheld().compile(compile_kwargs={"literal_binds": True}))
    assert written.replace("unit.", "") == BASIC_WITHHELD
    assert str(Unit.non_disclosure_reason.is_not(None).compile()).replace("unit.", "") == WITHHELD


def test_a_basic_public_firms_public_projects_are_those_not_withheld_themselves(db):
    """`project_public_of_basic_public_firm` reads nothing of the firm: among the firms `unit_basic_public` selects,
    it selects exactly the projects `project_public` does. Firms signed or not, withheld wholly or within one
    authority's divisions, suspended; projects withheld or not, inside and outside that scope."""
    withheld = {"non_disclosed": {"reason": "《政府信息公开条例》第十四条"}}
    units = [unit_record(signed=signed, **(withheld if hidden else {})) for signed in (True, False)
             for hidden in (False, True) for _ in range(2)]
    projects = [project_record(unit["uscc"], division_code=division, **(withheld if hidden else {}))
                for unit in units for division in ("370202", "320506") for hidden in (False, True)]
    create(*units, *projects)
    suspend_registration(SYSTEM, db.session.scalar(select(Unit.id).where(Unit.uscc == units[1]["uscc"])), "冒用他人名义注册")
    city = create_regulator(SYSTEM, username="qd-city", display_name="青岛监管", division_code="370200",
                            authority_name="青岛市生态环境局", password="a long enough password 1")
    scoped = db.session.scalar(select(Unit.id).where(Unit.uscc == units[0]["uscc"]))
    mark_non_disclosed(Actor.of(city, "127.0.0.1"), "unit", scoped, ground="third_party",
                       explanation="涉及商业秘密")  # Qingdao's records only: its Jiangsu projects stay public
    among = select(Project.id).join(Unit, Unit.id == Project.unit_id).where(visibility.unit_basic_public())
    public = set(db.session.scalars(among.where(visibility.project_public())))
    assert public == set(db.session.scalars(among.where(visibility.project_public_of_basic_public_firm())))
    assert len(public) == 0  # no firm is signed, not withheld and not suspended now
    create(unit := unit_record(), *(project_record(unit["uscc"], **extra) for extra in ({}, withheld)))
    public = set(db.session.scalars(among.where(visibility.project_public())))
    assert public == set(db.session.scalars(among.where(visibility.project_public_of_basic_public_firm())))
    assert len(public) == 1
    everywhere = set(db.session.scalars(select(Project.id).join(Unit, Unit.id == Project.unit_id)
                                        .where(visibility.project_public())))
    assert len(everywhere - public) == 1  # the scoped firm's Jiangsu project: public, though its firm's basic is not
