"""The public JSON API, version 1 (DESIGN §6): read-only, masked, documented at /api/v1/openapi.json.

Unknown parameters and bad values get a 400 naming the parameter; a missing record a 404; page size is
capped at 100.
"""
from functools import cache

from flask import Blueprint, abort, jsonify, request
from marshmallow import ValidationError

from public_portal.canonical import redirect_to_canonical
from public_portal.openapi import openapi_document
from public_portal.ratelimit import limit_searches
from registry.schemas.public import (
    MAX_PER_PAGE, BanPageSchema, BansArgs, PenaltiesArgs, PenaltyPageSchema, PersonDetailSchema, PersonPageSchema, PersonProfileArgs, PersonsArgs, ProjectPageSchema, ProjectsArgs,
    UnitDetailSchema, UnitPageSchema, UnitProfileArgs, UnitsArgs,
)
from registry.database import without_transaction
from registry.errors import error_response
from registry.schemas.dumping import Dumper
from registry.queries.lists import BanFilters, PenaltyFilters, list_bans, list_penalties
from registry.queries.profiles import person_profile, unit_profile
from registry.queries.projects import ProjectFilters, list_projects
from registry.queries.search import UnitFilters, search_persons, search_units

api = Blueprint("api", __name__, url_prefix="/api/v1")
api.before_request(limit_searches)


@api.after_request
def allow_any_origin(response):
    """The API is public and read-only: any site's scripts may read it (DESIGN §6), errors and 304s included."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


@api.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    """A 400 JSON error that names the parameter."""
    return error_response(400, f"{error.parameter}: {error.message}", error.parameter)


@cache
def schema(schema_class):
    """One instance of each schema a process: a schema holds no state of a request, and making one copies its
    declared fields and those of every nested schema (a firm list's dump: 1.53 -> 1.08 ms, reused)."""
    return schema_class()


@cache
def dumper(schema_class) -> Dumper:
    """The schema's dump written out (`Dumper`: the same answer for a fifth of `Schema.dump`'s time), made once
    a process."""
    return Dumper(schema(schema_class))


def parse(schema_class) -> tuple[dict, int, int]:
    """The query string through a schema: the filters (named as the query layer names them), the page and the
    page size. The first offending parameter is named in the 400."""
    args = load(schema_class)
    return args, args.pop("page"), min(args.pop("per_page"), MAX_PER_PAGE)


def load(schema_class) -> dict:
    """The query string through a schema, or a 400 naming the first offending parameter."""
    for name in request.args:
        if len(request.args.getlist(name)) > 1:
            raise BadParameter(name, "given more than once")
    try:
        args = schema(schema_class).load(request.args.to_dict())
    except ValidationError as error:
        parameter, messages = next(iter(error.normalized_messages().items()))
        message = messages[0] if isinstance(messages, list) else str(messages)
        raise BadParameter(parameter, message) from None
    return args


@api.get("/units")
def units():
    """GET /units: search firms."""
    filters, page, per_page = parse(UnitsArgs)
    return jsonify(dumper(UnitPageSchema).dump(search_units(UnitFilters(**filters), page, per_page)))


@api.get("/units/<uscc>")
@without_transaction
def unit(uscc):
    """GET /units/{uscc}: one firm; a credit code in another case or with spaces redirects (301)."""
    if (moved := redirect_to_canonical("api.unit", uscc)) is not None:  # any case, spaces or full width
        return moved
    profile = unit_profile(uscc, **load(UnitProfileArgs))
    if profile is None:
        abort(404, description="no public firm with this credit code")
    return jsonify(dumper(UnitDetailSchema).dump(profile))


@api.get("/persons")
def persons():
    """GET /persons: search individuals."""
    filters, page, per_page = parse(PersonsArgs)
    return jsonify(dumper(PersonPageSchema).dump(search_persons(filters.get("q"), filters.get("unit"), page, per_page)))


@api.get("/persons/<public_id>")
@without_transaction
def person(public_id):
    """GET /persons/{public_id}: one individual."""
    profile = person_profile(public_id, **load(PersonProfileArgs))
    if profile is None:
        abort(404, description="no public person with this id")
    return jsonify(dumper(PersonDetailSchema).dump(profile))


@api.get("/projects")
def projects():
    """GET /projects: search public projects."""
    filters, page, per_page = parse(ProjectsArgs)
    return jsonify(dumper(ProjectPageSchema).dump(list_projects(ProjectFilters(**filters), page, per_page)))


@api.get("/penalties")
def penalties():
    """GET /penalties: penalties public today, newest decision first."""
    filters, page, per_page = parse(PenaltiesArgs)
    return jsonify(dumper(PenaltyPageSchema).dump(list_penalties(PenaltyFilters(**filters), page, per_page)))


@api.get("/bans")
def bans():
    """GET /bans: practice bans active today, firms and persons, newest decision first."""
    filters, page, per_page = parse(BansArgs)
    return jsonify(dumper(BanPageSchema).dump(list_bans(BanFilters(**filters), page, per_page)))


@api.get("/openapi.json")
def openapi():
    """GET /openapi.json: the OpenAPI 3 document of this API."""
    return jsonify(openapi_document())
