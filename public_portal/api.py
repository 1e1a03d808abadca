"""The public JSON API, version 1 (DESIGN §6): read-only, masked, documented at /api/v1/openapi.json.

Unknown parameters and bad values get a 400 naming the parameter; a missing record a 404; page size is
capped at 100.
"""
from flask import Blueprint, abort, jsonify, redirect, request, url_for
from marshmallow import ValidationError

from public_portal.openapi import openapi_document
from public_portal.ratelimit import limit_searches
from public_portal.schemas import (
    MAX_PER_PAGE, PersonDetailSchema, PersonPageSchema, PersonsArgs, ProjectPageSchema, ProjectsArgs, UnitDetailSchema,
    UnitPageSchema, UnitsArgs,
)
from registry.errors import error_response
from registry.queries.portal import (
    ProjectFilters, UnitFilters, list_projects, person_profile, search_persons, search_units, unit_profile,
)
from registry.rules.normalize import canonical_code

api = Blueprint("api", __name__, url_prefix="/api/v1")
api.before_request(limit_searches)


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


@api.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    """A 400 JSON error that names the parameter."""
    return error_response(400, f"{error.parameter}: {error.message}", error.parameter)


def parse(schema_class) -> dict:
    """The query string through a schema; the first offending parameter is named in the 400."""
    for name in request.args:
        if len(request.args.getlist(name)) > 1:
            raise BadParameter(name, "given more than once")
    try:
        args = schema_class().load(request.args.to_dict())
    except ValidationError as error:
        parameter, messages = next(iter(error.normalized_messages().items()))
        message = messages[0] if isinstance(messages, list) else str(messages)
        raise BadParameter(parameter, message) from None
    args["per_page"] = min(args["per_page"], MAX_PER_PAGE)
    return args


def envelope(schema_class, page, items) -> dict:
    """The list envelope of DESIGN §6, dumped through its schema."""
    return schema_class().dump({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page})


@api.get("/units")
def units():
    """GET /units: search firms."""
    args = parse(UnitsArgs)
    filters = UnitFilters(q=args.get("q"), category=args.get("category"), province=args.get("province"),
                          industry=args.get("industry"), min_area=args.get("min_area"),
                          max_area=args.get("max_area"), has_penalty=args.get("has_penalty"),
                          banned=args.get("banned"), sort=args["sort"])
    page = search_units(filters, args["page"], args["per_page"])
    return jsonify(envelope(UnitPageSchema, page, [present_unit_item(s) for s in page.items]))


@api.get("/units/<uscc>")
def unit(uscc):
    """GET /units/{uscc}: one firm; a credit code in another case or with spaces redirects (301)."""
    if canonical_code(uscc) != uscc:
        return redirect(url_for("api.unit", uscc=canonical_code(uscc), **request.args), 301)
    profile = unit_profile(uscc, per_page=None)
    if profile is None:
        abort(404, description="no public firm with this credit code")
    return jsonify(UnitDetailSchema().dump(present_unit_detail(profile)))


@api.get("/persons")
def persons():
    """GET /persons: search individuals."""
    args = parse(PersonsArgs)
    page = search_persons(args.get("q"), args.get("unit"), args["page"], args["per_page"])
    return jsonify(envelope(PersonPageSchema, page, [present_person_item(s) for s in page.items]))


@api.get("/persons/<public_id>")
def person(public_id):
    """GET /persons/{public_id}: one individual."""
    profile = person_profile(public_id)
    if profile is None:
        abort(404, description="no public person with this id")
    return jsonify(PersonDetailSchema().dump(present_person_detail(profile)))


@api.get("/projects")
def projects():
    """GET /projects: search public projects."""
    args = parse(ProjectsArgs)
    filters = ProjectFilters(q=args.get("q"), industry=args.get("industry"), province=args.get("province"),
                             min_area=args.get("min_area"), max_area=args.get("max_area"),
                             category=args.get("category"))
    page = list_projects(filters, args["page"], args["per_page"])
    return jsonify(envelope(ProjectPageSchema, page, [present_project(row, firm) for row, firm in page.items]))


@api.get("/openapi.json")
def openapi():
    """GET /openapi.json: the OpenAPI 3 document of this API."""
    return jsonify(openapi_document())


# -- presenters: query results to the shapes of the schemas ---------------------------------------

def present_rate(rate, part_name: str = "passed") -> dict:
    """A Rate as `{passed|on_time, total, rate}` (rate null when total is 0)."""
    return {part_name: rate.part, "total": rate.total, "rate": rate.rate}


def present_ban(ban) -> dict:
    """A ban as `{active, until, lifetime}`."""
    return {"active": ban.active, "until": ban.until, "lifetime": ban.lifetime}


def present_period(period) -> dict | None:
    """A date range as `{from, to}`, or None."""
    return {"start": period[0], "end": period[1]} if period else None


def present_unit_item(summary) -> dict:
    """A search hit as the units list shows it."""
    return {
        "uscc": summary.uscc, "name": summary.name, "basic_information_public": summary.basic_public,
        "registration_confirmed": summary.registration_confirmed,
        "division_code": summary.division_code, "province": summary.province, "categories": summary.categories,
        "first_pass": present_rate(summary.first_pass), "on_time": present_rate(summary.on_time, "on_time"),
        "project_count": summary.project_count, "has_penalty": summary.penalty_count > 0,
        "ban": present_ban(summary.ban),
    }


def present_project(row, firm=None) -> dict:
    """A public project, with its firm when listed on its own."""
    item = {
        "ref": row.ref, "name": row.name, "category": row.category, "parcel_name": row.parcel_name,
        "division_code": row.division_code, "area_m2": float(row.area_m2), "owner": row.owner,
        "former_industry": row.former_industry, "started_on": row.started_on,
        "contract_deadline": row.contract_deadline, "completed_on": row.completed_on, "days_late": row.days_late,
        "verified_false_performance": row.flagged,
    }
    if firm is not None:
        item["unit"] = {"uscc": firm[0], "name": firm[1]}
    return item


def present_penalty(row) -> dict:
    """A penalty as the public sees it (only the ban once its publicity has ended)."""
    ban = {"active": row.ban_active, "until": row.ban_until, "lifetime": row.ban_lifetime} \
        if (row.ban_until or row.ban_lifetime) else None
    return {
        "decision_number": row.decision_number, "ban_only": row.ban_only, "authority": row.authority,
        "decided_on": row.decided_on, "publicity_ends_on": row.publicity_ends_on, "kinds": row.kinds,
        "severity": row.severity, "fine_yuan": float(row.fine_yuan) if row.fine_yuan is not None else None,
        "violation": row.violation, "basis": row.basis, "ban": ban, **double_publicity(row.penalty),
    }


def double_publicity(penalty) -> dict:
    """The double-publicity fields of a fully public decision (all null when only its ban is shown)."""
    return {
        "party_name": penalty.party_name if penalty else None,
        "legal_representative": penalty.legal_representative if penalty else None,
        "id_type": penalty.id_type if penalty else None,
        "violation_type": penalty.violation_type if penalty else None,
        "content": penalty.content if penalty else None,
        "confiscated_yuan": float(penalty.confiscated_yuan) if penalty and penalty.confiscated_yuan is not None else None,
        "licence_action": penalty.licence_action if penalty else None,
        "authority_uscc": penalty.authority_uscc if penalty else None,
        "data_source": penalty.data_source if penalty else None,
    }


def present_unit_detail(p) -> dict:
    """A firm's profile as `GET /units/{uscc}` answers it; basic information only when public."""
    unit, basic = p.unit, p.basic_public
    return {
        "uscc": unit.uscc, "name": unit.name, "basic_information_public": basic,
        "registration_confirmed": unit.registration_confirmed_at is not None, "registered": unit.registered,
        "division_code": unit.division_code if basic else None,
        "province": unit.division_code[:2] if basic else None,
        "legal_representative": unit.legal_representative if basic else None,
        "address": unit.address if basic else None,
        "established_on": unit.established_on if basic else None,
        "ceased_on": unit.ceased_on,
        "categories": p.categories,
        "first_pass": present_rate(p.first_pass), "first_pass_period": present_period(p.first_pass_period),
        "on_time": present_rate(p.on_time, "on_time"), "on_time_period": present_period(p.on_time_period),
        "project_count": p.projects.total, "has_penalty": any(not row.ban_only for row in p.penalties),
        "ban": present_ban(p.ban),
        "projects": [present_project(row) for row in p.projects.items],
        "reviews": [{"project_ref": r.project_ref, "report_type": r.report_type, "round": r.round,
                     "reviewed_on": r.reviewed_on, "passed": r.passed, "authority": r.authority} for r in p.reviews],
        "penalties": [present_penalty(row) for row in p.penalties],
        "verified_false_performance": [
            {"ref": f.ref, "project_ref": f.project_ref, "received_on": f.received_on, "verified_on": f.verified_on,
             "finding": f.finding, "authority": f.authority} for f in p.findings],
    }


def present_person_item(summary) -> dict:
    """A person as the persons list shows them (masked)."""
    return {"public_id": summary.public_id, "name": summary.name, "id_number_masked": summary.id_number_masked,
            "unit": {"uscc": summary.firm[0], "name": summary.firm[1]} if summary.firm else None,
            "ban": present_ban(summary.ban)}


def present_person_detail(p) -> dict:
    """A person's profile as `GET /persons/{public_id}` answers it (masked)."""
    person = p.person
    return {
        "public_id": person.public_id, "name": person.name, "id_number_masked": person.id_number_masked,
        "registered": person.registered, "unit": {"uscc": p.firm[0], "name": p.firm[1]} if p.firm else None,
        "ban": present_ban(p.ban), "first_pass": present_rate(p.first_pass),
        "roles": [{"project_ref": r.project.ref, "project_name": r.project.name,
                   "unit": {"uscc": r.unit_uscc, "name": r.unit_name}, "role": r.role,
                   "completed_on": r.project.completed_on, "verified_false_performance": r.project.flagged}
                  for r in p.roles],
        "penalties": [present_penalty(row) for row in p.penalties],
    }
