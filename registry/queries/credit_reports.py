"""The credit report's reads: the content of a firm's or a person's report (the five categories as public on the
day, through `registry.visibility`), an issued report by its number, and its verification against today's
record.

The content is plain JSON (codes, not labels; dates as ISO text), so the same stored content prints in either
language and its digest never depends on the reader. A report lists every public project and review outcome:
it is the whole public record, not a page of it.
"""
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Integer, and_, bindparam, func, select

from registry import generation
from registry.clock import beijing_date, today
from registry.extensions import db
from registry.models import CreditReport, Person, Project, Review, Unit
from registry.queries.profiles import PenaltyRow, _penalty_rows, person_profile, review_years, unit_statements
from registry.queries.projects import finding_rows, findings_select, project_row_columns
from registry.queries.summaries import category_list
from registry.rules.credit_reports import Change, canonical_json, changes_since, content_digest, is_valid
from registry.visibility import person_listed, project_public, review_public, unit_basic_is_public

SUBJECT_ID = bindparam("subject_id", type_=Integer)
# A report lists a subject's latest 50 projects and review outcomes (a profile's first page) and counts them all:
# WeasyPrint lays out about 5-13 ms a table row on this machine, so the 2,000-project firm's whole list (60 A4
# pages) took minutes as a PDF; a tender reads the rates, bans, penalties and findings, which are listed in full.
LISTED = 50


@dataclass(frozen=True)
class ReportContent:
    """What a report shows, read on `as_of` at data generation `data_generation`, about one subject."""

    subject_kind: str
    subject_id: int
    as_of: date
    data_generation: int
    content: dict


def _iso(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return value


def _rate(part, total, low=None, high=None) -> dict:
    return {"part": int(part or 0), "total": int(total or 0),
            "period": [_iso(low), _iso(high)] if low is not None and total else None}


def _penalty(row: PenaltyRow) -> dict:
    """A penalty as the profile shows it: in full while public, else only its active ban."""
    shown = {"decision_number": row.decision_number, "ban_until": _iso(row.ban_until), "ban_lifetime": row.ban_lifetime,
             "ban_active": row.ban_active, "ban_only": row.ban_only}
    if row.ban_only:
        return shown
    decision = row.penalty
    return {**shown, "authority": row.authority, "decided_on": _iso(row.decided_on), "kinds": row.kinds,
            "severity": row.severity, "fine_yuan": _iso(row.fine_yuan), "violation": row.violation,
            "basis": row.basis, "publicity_ends_on": _iso(row.publicity_ends_on),
            "decision": {"party_name": decision.party_name, "legal_representative": decision.legal_representative,
                         "violation_type": decision.violation_type, "content": decision.content,
                         "confiscated_yuan": _iso(decision.confiscated_yuan),
                         "licence_action": decision.licence_action, "authority_uscc": decision.authority_uscc,
                         "data_source": decision.data_source, "ban_categories": decision.ban_categories,
                         "resident_id_card": decision.id_type is not None} if decision is not None else None}


def _bans(rows: list[PenaltyRow]) -> list[dict]:
    """Active bans, lifetime bans first, then by the latest end: the first thing a report shows."""
    bans = [{"decision_number": row.decision_number, "until": _iso(row.ban_until), "lifetime": row.ban_lifetime}
            for row in rows if row.ban_active]
    return sorted(bans, key=lambda ban: (not ban["lifetime"], _negated(ban["until"]), ban["decision_number"]))


def _negated(day: str | None) -> str:
    return "".join(chr(0x10000 - ord(ch)) for ch in day or "")  # the latest end first


def _project(columns) -> dict:
    (_id, ref, name, category, parcel, _division, area, owner, industry, started, deadline, completed, _unit,
     flagged) = columns
    return {"ref": ref, "name": name, "category": category, "parcel_name": parcel, "area_m2": _iso(area),
            "owner": owner, "former_industry": industry, "started_on": _iso(started),
            "contract_deadline": _iso(deadline), "completed_on": _iso(completed), "flagged": bool(flagged)}


def _findings(result) -> list[dict]:
    return [{"project_ref": f.project_ref, "project_name": f.project_name, "verified_on": _iso(f.verified_on),
             "authority": f.authority, "finding": f.finding} for f in finding_rows(result)]


_PROJECT_ORDER = (Project.completed_on.desc().nulls_first(), Project.id.desc())
_REVIEW_ORDER = (Review.reviewed_on.desc(), Review.id.desc())


def _reviews_select(condition):
    return (select(Review.report_type, Review.round, Review.reviewed_on, Review.passed, Review.authority,
                   Project.ref, Project.name, project_public().label("project_public"))
            .join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
            .where(condition, review_public()).order_by(*_REVIEW_ORDER))


def _review_count(condition) -> int:
    return db.session.scalar(select(func.count(Review.id)).join(Project, Project.id == Review.project_id)
                             .join(Unit, Unit.id == Project.unit_id).where(condition, review_public()))


def _reviews(result) -> list[dict]:
    return [{"project_ref": ref if shown else None, "project_name": name if shown else None,
             "report_type": report_type, "round": round_number, "reviewed_on": _iso(reviewed_on),
             "passed": bool(passed), "authority": authority}
            for report_type, round_number, reviewed_on, passed, authority, ref, name, shown in result]


@dataclass(frozen=True)
class ReportSubject:
    """The firm or person a report is asked for, as the form page names it."""

    kind: str
    key: str  # the credit code or the public id
    name: str
    id_number_masked: str | None = None


def report_subject(kind: str, key: str) -> ReportSubject | None:
    """The listed firm (by credit code) or person (by public id) a report may be issued about, or None."""
    if kind == "unit":
        unit = db.session.scalar(unit_statements().unit, {"uscc": key, "day": today()})
        return ReportSubject("unit", unit.uscc, unit.name) if unit is not None else None
    person = db.session.scalar(select(Person).where(Person.public_id == key, person_listed(today())))
    return ReportSubject("person", person.public_id, person.name, person.id_number_masked) if person else None


def unit_report_content(uscc: str) -> ReportContent | None:
    """The content of a firm's report today, or None when the firm is not listed."""
    day, sql, session = today(), unit_statements(), db.session
    number = generation.current().number  # read first: the content is at least as new as this generation
    found = session.execute(sql.unit, {"uscc": uscc, "day": day}).first()
    if found is None:
        return None
    unit, _, categories, *_ = found
    firm = {"subject_id": unit.id, "day": day}
    basic = unit_basic_is_public(unit)
    _, first_pass, first_pass_period = review_years(firm)
    on_time = session.execute(sql.on_time, firm).first()
    penalties = _penalty_rows(session.execute(sql.penalties, firm))
    public_projects = select().join(Unit, Unit.id == Project.unit_id).where(Project.unit_id == unit.id,
                                                                            project_public())
    projects = session.execute(public_projects.add_columns(*project_row_columns()).order_by(*_PROJECT_ORDER)
                               .limit(LISTED))
    of_firm = Project.unit_id == unit.id
    content = {
        "kind": "unit", "uscc": unit.uscc, "name": unit.name, "registered": unit.registered,
        "registration_confirmed": unit.registration_confirmed_at is not None, "ceased_on": _iso(unit.ceased_on),
        "basic": {"legal_representative": unit.legal_representative, "division_code": unit.division_code,
                  "address": unit.address, "established_on": _iso(unit.established_on),
                  "categories": category_list(categories),
                  "commitment_signed_on": _iso(beijing_date(unit.commitment_signed_at))} if basic else None,
        "first_pass": _rate(first_pass.part, first_pass.total, *(first_pass_period or ())),
        "on_time": _rate(*on_time[1:]) if on_time else _rate(0, 0),
        "bans": _bans(penalties),
        "project_count": session.scalar(public_projects.add_columns(func.count(Project.id))),
        "projects": [_project(row) for row in projects],
        "review_count": _review_count(of_firm),
        "reviews": _reviews(session.execute(_reviews_select(of_firm).limit(LISTED))),
        "penalties": [_penalty(row) for row in penalties],
        "findings": _findings(session.execute(sql.findings, firm)),
    }
    return ReportContent("unit", unit.id, day, number, content)


def person_report_content(public_id: str) -> ReportContent | None:
    """The content of a person's report today (masked ID number, never a birth date, age or gender), or None
    when the person is not listed."""
    number = generation.current().number
    profile = person_profile(public_id)
    if profile is None:
        return None
    person = profile.person
    projects = [row.project.id for row in profile.roles.items]
    held = and_(Project.id.in_(projects), Review.round == 1)
    period = db.session.execute(select(func.min(Review.reviewed_on), func.max(Review.reviewed_on))
                                .join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
                                .where(held, review_public())).first() if projects else (None, None)
    content = {
        "kind": "person", "public_id": person.public_id, "name": person.name,
        "id_number_masked": person.id_number_masked, "registered": person.registered,
        "basic": {"title": person.title, "firm": list(profile.firm) if profile.firm else None,
                  "commitment_signed_on": _iso(beijing_date(person.commitment_signed_at))}
        if profile.basic_public else None,
        "first_pass": _rate(profile.first_pass.part, profile.first_pass.total, *period),
        "bans": _bans(profile.penalties),
        "project_count": profile.roles.total,
        "projects": [{**_project_of(row.project), "role": row.role, "unit_uscc": row.unit_uscc,
                      "unit_name": row.unit_name} for row in profile.roles.items[:LISTED]],
        "review_count": _review_count(Project.id.in_(projects)) if projects else 0,
        "reviews": _reviews(db.session.execute(_reviews_select(Project.id.in_(projects)).limit(LISTED)))
        if projects else [],
        "penalties": [_penalty(row) for row in profile.penalties],
        "findings": _findings(db.session.execute(findings_select(Project.id.in_(projects)))) if projects else [],
    }
    return ReportContent("person", person.id, today(), number, content)


def _project_of(row) -> dict:
    return _project((row.id, row.ref, row.name, row.category, row.parcel_name, row.division_code, row.area_m2,
                     row.owner, row.former_industry, row.started_on, row.contract_deadline, row.completed_on,
                     row.unit_id, row.flagged))


def current_content(content: dict) -> dict | None:
    """Today's content of the subject an issued content is about, or None when it is no longer listed."""
    found = unit_report_content(content["uscc"]) if content.get("kind") == "unit" \
        else person_report_content(content.get("public_id", ""))
    return found.content if found is not None else None


# -- issued reports ---------------------------------------------------------------------------------------------

@dataclass
class IssuedReport:
    """A stored report: its row, its content as stored, whether that content still has its digest (genuine), and
    whether it is still valid today."""

    number: str
    issued_at: datetime
    as_of: date
    valid_until: date
    purpose: str | None
    content: dict
    content_sha256: str
    genuine: bool
    valid: bool

    @property
    def subject_kind(self) -> str:
        return self.content.get("kind", "")


def issued_report(number: str) -> IssuedReport | None:
    """The report issued under `number` (canonical form), or None when no report has that number."""
    row = db.session.scalar(select(CreditReport).where(CreditReport.number == number))
    if row is None:
        return None
    genuine = content_digest(row.content) == row.content_sha256
    try:
        content = json.loads(row.content)
        content = content if isinstance(content, dict) else {}
    except ValueError:
        content, genuine = {}, False
    if genuine and canonical_json(content) != row.content:
        genuine = False  # the digest matches, but the text is not what the registry writes
    return IssuedReport(row.number, row.issued_at, row.as_of, row.valid_until, row.purpose, content,
                        row.content_sha256, genuine, is_valid(row.valid_until, today()))


@dataclass
class Verification:
    report: IssuedReport
    changes: list[Change]


def verify_report(number: str) -> Verification | None:
    """An issued report, whether it is genuine and valid, and what in the public record changed since it was
    issued (nothing is compared for a report that is not genuine); None for an unknown number."""
    report = issued_report(number)
    if report is None:
        return None
    changes = changes_since(report.content, current_content(report.content)) if report.genuine else []
    return Verification(report, changes)
