"""Export in the exchange format (DESIGN §5), dumped through the schemas of registry.schemas.exchange.

A full export is a backup (every record, with full ID numbers: for administrators only) that imports again
into an empty registry and exports byte for byte the same; `public=True` gives the open data: only what the
public may see today, masked, with public ids, never complainants or contacts.
"""
import json
from collections.abc import Iterable
from types import SimpleNamespace

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from registry import visibility as public
from registry.clock import today
from registry.extensions import db
from registry.models import Commitment, Complaint, Penalty, Person, Project, Review, Unit
from registry.rules.disclosure import penalty_is_public
from registry.schemas.exchange import (PUBLIC_PENALTY_BAN_ONLY, PUBLIC_PENALTY_FIELDS, PUBLIC_UNIT_PROFILE_ONLY,
                                       ComplaintExport, PenaltyExport, PersonExport, ProjectExport,
                                       PublicComplaintExport, PublicPenaltyExport, PublicPersonExport,
                                       PublicProjectExport, PublicReviewExport, PublicUnitExport, ReviewExport,
                                       UnitExport)
from registry.services.audit import json_value
from registry.services.people import vault

FORMAT_VERSION = 1


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, default=json_value) + "\n"


def export_jsonl(public: bool = False) -> Iterable[str]:
    """Every record in the exchange format (a full backup, with full ID numbers: for administrators only), or
    with `public=True` only what the public may see today, masked, with public ids (open data)."""
    return _export_public() if public else _export_full()


def _export_full() -> Iterable[str]:
    session = db.session
    decrypt = vault().decrypt
    signers = {}
    for commitment in session.scalars(select(Commitment).order_by(Commitment.signed_at)):
        signers[("unit", commitment.unit_id) if commitment.unit_id else ("person", commitment.person_id)] = commitment.signer
    lookups = SimpleNamespace(signers=signers, uscc_of=dict(session.execute(select(Unit.id, Unit.uscc)).all()),
                              id_number_of={}, employment_of={}, ref_of={})
    units = UnitExport(lookups)
    # what each record shows is loaded with the records, by batches of rows (not a statement per record)
    for unit in session.scalars(select(Unit).order_by(Unit.id).options(selectinload(Unit.categories))
                                .execution_options(yield_per=1000)):
        yield _line(units.dump(unit))
    persons = PersonExport(lookups)
    for person in session.scalars(select(Person).order_by(Person.id).options(selectinload(Person.employments))
                                  .execution_options(yield_per=1000)):
        lookups.id_number_of[person.id] = decrypt(person.id_number_ciphertext)
        employment = person.current_employment or max(person.employments, key=lambda e: (e.started_on, e.id),
                                                      default=None)
        if employment is not None:
            lookups.employment_of[person.id] = employment
        yield _line(persons.dump(person))
    projects = ProjectExport(lookups)
    for project in session.scalars(select(Project).order_by(Project.id).options(selectinload(Project.roles))
                                   .execution_options(yield_per=1000)):
        lookups.ref_of[project.id] = project.ref
        yield _line(projects.dump(project))
    reviews = ReviewExport(lookups)
    for review in session.scalars(select(Review).order_by(Review.project_id, Review.report_type, Review.round)):
        yield _line(reviews.dump(review))
    penalties = PenaltyExport(lookups)
    for penalty in session.scalars(select(Penalty).order_by(Penalty.id)):
        yield _line(penalties.dump(penalty))
    complaints = ComplaintExport(lookups)
    for complaint in session.scalars(select(Complaint).order_by(Complaint.id)):
        yield _line(complaints.dump(complaint))


def _export_public() -> Iterable[str]:
    """Open data: only what is public today; masked ID numbers and public ids; no contacts, no complainants."""
    session = db.session
    day = today()
    rules = public.publicity_rules()
    yield _line({"kind": "meta", "format_version": FORMAT_VERSION, "generated_on": day, "public": True})
    # each firm's categories loaded with the firms, by batches of rows (a lazy load per firm: 50,000 statements
    # in a national build)
    listed_units = session.scalars(select(Unit).where(public.unit_listed(day, rules)).order_by(Unit.id)
                                   .options(selectinload(Unit.categories))).all()
    lookups = SimpleNamespace(uscc_of={unit.id: unit.uscc for unit in listed_units}, public_persons={},
                              basic_persons=set(), public_refs={}, unit_of_project={})
    units, profiles = PublicUnitExport(lookups), PublicUnitExport(lookups, only=PUBLIC_UNIT_PROFILE_ONLY)
    for unit in listed_units:
        yield _line((units if public.unit_basic_is_public(unit) else profiles).dump(unit))
    persons = PublicPersonExport(lookups)
    # the employments and project roles are loaded by batches of rows, not one query per record (N+1 made a build
    # of the small benchmark's 71,000 records take 95 s)
    listed_persons = select(Person).where(public.person_listed(day, rules)).options(selectinload(Person.employments))
    for person in session.scalars(listed_persons.order_by(Person.id)):
        lookups.public_persons[person.id] = person
        if public.person_basic_is_public(person):
            lookups.basic_persons.add(person.id)
        yield _line(persons.dump(person))
    projects = PublicProjectExport(lookups)
    for project in session.scalars(select(Project).join(Unit, Unit.id == Project.unit_id)
                                   .where(public.project_public()).options(selectinload(Project.roles))
                                   .order_by(Project.id).execution_options(yield_per=1000)):
        lookups.public_refs[project.id] = project.ref
        yield _line(projects.dump(project))
    reviews = PublicReviewExport(lookups)
    for review, unit_id in session.execute(
            select(Review, Project.unit_id).join(Project, Project.id == Review.project_id)
            .join(Unit, Unit.id == Project.unit_id).where(public.review_public())
            .order_by(Review.project_id, Review.report_type, Review.round).execution_options(yield_per=1000)):
        lookups.unit_of_project[review.project_id] = unit_id
        yield _line(reviews.dump(review))
    published = PublicPenaltyExport(lookups, only=("kind", "decision_number", "subject") + PUBLIC_PENALTY_FIELDS)
    ban_only = PublicPenaltyExport(lookups, only=PUBLIC_PENALTY_BAN_ONLY)
    shown = select(Penalty).where(or_(public.penalty_public(day, rules), public.ban_public(day))).order_by(Penalty.id)
    for penalty in session.scalars(shown):
        if penalty.person_id is not None and penalty.person_id not in lookups.public_persons:
            continue  # a decision about a person the public may not see (withheld) is on no page, nor here
        # a penalty whose publicity ended but whose ban still runs shows only the ban (DESIGN §3)
        fully_public = penalty_is_public(
            severity=penalty.severity, decided_on=penalty.decided_on, publicity_ends_on=penalty.publicity_ends_on,
            repaired_on=penalty.repaired_on, non_disclosed=penalty.non_disclosure_reason is not None, today=day,
            rules=rules)
        yield _line((published if fully_public else ban_only).dump(penalty))
    complaints = PublicComplaintExport(lookups)
    for complaint, unit_id in session.execute(
            select(Complaint, Project.unit_id).join(Project, Project.id == Complaint.project_id)
            .where(public.complaint_public()).order_by(Complaint.id)):
        lookups.unit_of_project[complaint.project_id] = unit_id
        yield _line(complaints.dump(complaint))
