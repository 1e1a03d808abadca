"""What the public may see, as SQL: the rules of `registry.rules.disclosure` for whole tables at once.

Public figures are computed from public records only (DESIGN §3). `tests/test_public_rules_agree.py` checks,
record by record and day by day, that these clauses say what the pure rules say. The publicity periods are
those the configuration sets (PUBLICITY_RULES), wherever a clause is used: the portal, the API, search, the
practitioners' own pages and the export all answer alike.
"""
from datetime import date

from flask import current_app
from sqlalchemy import and_, exists, false, func, literal, not_, or_, select

from registry.database import likelihood
from registry.models import Complaint, Penalty, Person, Project, Review, Unit
from registry.rules.disclosure import practitioner_record_is_public


def publicity_rules():
    """The publicity rule table in force for this app (PUBLICITY_RULES; `rules.publicity` has the default)."""
    return current_app.config["PUBLICITY_RULES"]


def unit_basic_is_public(unit: Unit) -> bool:
    """`unit_basic_public` for one loaded firm."""
    return practitioner_record_is_public(commitment_in_force=unit.commitment_signed_at is not None,
                                         non_disclosed=unit.non_disclosure_reason is not None,
                                         registration_suspended=unit.registration_suspended_at is not None)


def person_basic_is_public(person: Person) -> bool:
    """`person_basic_public` for one loaded person."""
    return practitioner_record_is_public(commitment_in_force=person.commitment_signed_at is not None,
                                         non_disclosed=person.non_disclosure_reason is not None)


def unit_basic_public():
    """Basic information and performance of a firm: commitment signed, not marked non-disclosed, registration
    not suspended by its regulator."""
    return and_(Unit.commitment_signed_at.is_not(None), Unit.non_disclosure_reason.is_(None),
                Unit.registration_suspended_at.is_(None))


def unit_basic_withheld():
    """The firms `unit_basic_public` leaves out: unsigned, withheld or suspended (few). Word for word the condition
    of ix_unit_not_basic_public (tests/test_public_rules_agree.py)."""
    return or_(Unit.commitment_signed_at.is_(None), Unit.non_disclosure_reason.is_not(None),
               Unit.registration_suspended_at.is_not(None))


def person_basic_public(person=Person):
    return and_(person.commitment_signed_at.is_not(None), person.non_disclosure_reason.is_(None))


def covered_by_firm_withhold(division):
    """The firm's withhold covers a record of this division (`rules.disclosure.firm_withhold_covers`): the
    withholding authority's own records only. Needs Unit joined; `division` is never NULL."""
    return and_(Unit.non_disclosure_reason.is_not(None),
                or_(Unit.non_disclosure_scope.is_(None), division.like(Unit.non_disclosure_scope.concat("%"))))


def firm_publishes_projects():
    """The firm's own part of `project_public`: its commitment in force, its registration not suspended."""
    return and_(Unit.commitment_signed_at.is_not(None), Unit.registration_suspended_at.is_(None))


def project_public():
    """A project is performance: public once its firm's commitment is in force, unless withheld itself or covered
    by its firm's withhold (`rules.disclosure.project_is_public`). Needs Unit joined."""
    return and_(Project.non_disclosure_reason.is_(None), firm_publishes_projects(),
                not_(covered_by_firm_withhold(Project.division_code)))


def project_public_of_basic_public_firm():
    """`project_public` of a firm whose basic information is public (`unit_basic_public`): its commitment is in
    force, its registration not suspended, and nothing of it withheld, so its project is public unless withheld
    itself. Reads no column of the firm: a count of each such firm's projects probes their index alone."""
    return Project.non_disclosure_reason.is_(None)


def review_public():
    """Review outcomes are government records, public unless they or their project are withheld, or the firm's
    withhold covers the project or the review (the authority that recorded it). Needs Project and Unit joined."""
    return and_(
        Review.non_disclosure_reason.is_(None),
        Project.non_disclosure_reason.is_(None),
        not_(covered_by_firm_withhold(Project.division_code)),
        not_(covered_by_firm_withhold(func.coalesce(Review.authority_division_code, Project.division_code))),
    )


def published_severity(rules=None):
    """Severities the rule in force on the decision date publishes at all (not minor since 2026-04-01)."""
    rules = rules or publicity_rules()
    clauses = []
    for index, (since, periods) in enumerate(rules):
        until = rules[index + 1][0] if index + 1 < len(rules) else None
        published = [severity for severity, period in periods.items() if period.max_months > 0]
        if not published:
            continue
        # each severity a parameter of its own: a list given to IN is a value SQLAlchemy renders into the
        # statement's text at every execution (0.1 ms a statement), for statements built once
        window = [Penalty.decided_on >= since, Penalty.severity.in_([literal(severity) for severity in published])]
        if until is not None:
            window.append(Penalty.decided_on < until)
        clauses.append(and_(*window))
    return or_(*clauses) if clauses else false()


def penalty_public(today: date, rules=None):
    """From decision through the publicity end date, until repair; never non-disclosed; never minor (now)."""
    return and_(
        Penalty.non_disclosure_reason.is_(None),
        published_severity(rules),
        Penalty.decided_on <= today,
        Penalty.publicity_ends_on >= today,
        or_(Penalty.repaired_on.is_(None), Penalty.repaired_on > today),
    )


def ban_public(today: date):
    """An active practice ban, shown for as long as it lasts (even after the penalty's publicity ends)."""
    return and_(
        Penalty.non_disclosure_reason.is_(None),
        Penalty.decided_on <= today,
        or_(Penalty.ban_lifetime.is_(True), Penalty.ban_until >= today),
    )


def complaint_public():
    """Only a substantiated finding is public; never the complainant.

    A firm's or a project's findings are read through its projects: told that about one complaint in four is
    substantiated, SQLite no longer reads every substantiated complaint of the country by their status and each
    one's project to find a firm's (1.9 ms for a firm of 2,000 projects, national scale; 0.1 ms through them)."""
    return and_(likelihood(Complaint.status == "substantiated", 0.25), Complaint.non_disclosure_reason.is_(None))


def unit_listed(today: date, rules=None):
    """A firm appears in public when its basic information is public, or a record about it is: a project its
    firm's withhold does not cover, a penalty, a review, a substantiated finding."""
    return or_(
        unit_basic_public(),
        exists().where(Project.unit_id == Unit.id, project_public()),
        exists().where(Penalty.unit_id == Unit.id, or_(penalty_public(today, rules), ban_public(today))),
        exists(
            select(Review.id)
            .join(Project, Project.id == Review.project_id)
            .where(Project.unit_id == Unit.id, review_public())
        ),
        exists(
            select(Complaint.id)
            .join(Project, Project.id == Complaint.project_id)
            .where(Project.unit_id == Unit.id, complaint_public())
        ),
    )


def person_listed(today: date, rules=None):
    """A person appears in public once their commitment is signed, or while a penalty or ban about them is public."""
    return or_(
        person_basic_public(),
        and_(
            Person.non_disclosure_reason.is_(None),
            exists().where(Penalty.person_id == Person.id, or_(penalty_public(today, rules), ban_public(today))),
        ),
    )


def project_counts_toward_on_time(today: date | None):
    """`rules.rates.counts_toward_on_time` as SQL: no public false-performance finding made on or before today
    (None: made on any day, as the kept figures count it, registry/figures.py)."""
    made = Complaint.verified_on <= today if today is not None else Complaint.verified_on.is_not(None)
    return ~exists().where(Complaint.project_id == Project.id, complaint_public(), made)


def on_time_counted(today: date | None):
    """The projects an on-time rate counts: public, completed, with a deadline, not found false (by `today`, or
    on any day: None). Needs Unit joined."""
    return and_(project_public(), Project.completed_on.is_not(None), Project.contract_deadline.is_not(None),
                project_counts_toward_on_time(today))


def penalty_subject_listed():
    """The subject of a penalty the public sees (public, or shown for its active ban) may be named: a firm always,
    since that penalty alone lists it (`unit_listed`); a person unless marked non-disclosed, as `person_listed`
    says for a person with such a penalty. Only for penalties already held to `penalty_public` or `ban_public`.

    The person's mark is read as a value of the penalty's row, not as EXISTS: PostgreSQL hashed an EXISTS under
    an OR, reading every person of the country to name the few penalised (the penalty lists, national scale:
    200,000 persons read, 96 ms of a 100 ms statement); a scalar subquery reads the penalised person by key."""
    return or_(Penalty.unit_id.is_not(None),
               select(Person.non_disclosure_reason.is_(None)).where(Person.id == Penalty.person_id)
               .scalar_subquery())
