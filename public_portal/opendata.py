"""Open data: serving the prebuilt files (registry/exchange/opendata.py builds them) and their data dictionary.

A download is a file read: the manifest names the build, its SHA-256 is the ETag, the prebuilt `.gz` copy is
sent to a client that accepts gzip. A request that finds the files older than the data starts a build in the
background (debounced) and is answered from the previous files meanwhile.
"""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, jsonify, request, send_file
from marshmallow import Schema, fields

from registry.exchange.opendata import (CSV_EXTRA_COLUMNS, CSV_KINDS, JSONL_NAME, MANIFEST_NAME, published_path,
                                        read_manifest, refresh_in_background)
from registry.i18n import lazy_gettext as _l
from registry.reference import CODE_LISTS
from registry.schemas.exchange import (PublicComplaintExport, PublicPenaltyExport, PublicPersonExport,
                                       PublicProjectExport, PublicReviewExport, PublicUnitExport)

__all__ = ["CODE_LIST_COLUMNS", "CSV_KINDS", "code_lists", "JSONL_NAME", "MANIFEST_NAME", "RETRY_AFTER", "built_at", "current_manifest", "file_size", "data_dictionary", "download",
           "manifest_response"]

PUBLIC_SCHEMAS: dict[str, type[Schema]] = {
    "unit": PublicUnitExport, "person": PublicPersonExport, "project": PublicProjectExport,
    "review": PublicReviewExport, "penalty": PublicPenaltyExport, "complaint": PublicComplaintExport,
}
MIMETYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}
RETRY_AFTER = 60  # seconds: a first build of the demo data takes a second, of a national registry minutes

TYPES = {
    "text": _l("text"), "date": _l("date (YYYY-MM-DD)"), "timestamp": _l("date and time (ISO 8601, with offset)"),
    "decimal": _l("decimal number"), "integer": _l("whole number"), "boolean": _l("true or false"),
    "list": _l("list (in CSV: items separated by ;)"), "code": _l("code (see the code lists)"),
}
# the type a schema field gives its column; a computed field (Method, Function) names its type in FIELDS
SCHEMA_TYPES = ((fields.Date, "date"), (fields.AwareDateTime, "timestamp"), (fields.Decimal, "decimal"),
                (fields.Int, "integer"), (fields.Bool, "boolean"), (fields.List, "list"), (fields.Str, "text"))

# what each column means, by column (a kind's own meaning first: "kind:column"); a computed column adds its type
FIELDS: dict[str, tuple[str | None, str]] = {
    "uscc": (None, _l("Unified social credit code of the firm (18 characters)")),
    "unit:name": (None, _l("Registered name of the firm")),
    "unit:legal_representative": (None, _l("Legal representative of the firm")),
    "unit:division_code": ("code", _l("Administrative division of the firm's registration (GB/T 2260 code)")),
    "address": (None, _l("Registered address")),
    "categories": (None, _l("Lines of business the firm registered (code list: categories)")),
    "established_on": (None, _l("Date the firm was established")),
    "ceased_on": (None, _l("Date the firm declared it ceased business")),
    "registration_confirmed": ("boolean", _l("Whether a regulator confirmed the firm's self-registration")),
    "commitment.signed_at": ("timestamp", _l("When the credit commitment letter was signed")),
    "public_id": (None, _l("Public identifier of the person in this registry")),
    "id_number_masked": (None, _l("ID number, masked: only its first six and last four characters")),
    "person:name": (None, _l("Name of the person")),
    "unit_uscc": ("text", _l("Unified social credit code of the firm concerned")),
    "title": ("text", _l("Professional title of the person")),
    "ref": (None, _l("Reference number in this registry")),
    "category": ("code", _l("Line of business of the project (code list: categories)")),
    "project:name": (None, _l("Name of the project")),
    "parcel_name": (None, _l("Name of the land parcel")),
    "project:division_code": ("code", _l("Administrative division where the parcel lies (GB/T 2260 code)")),
    "area_m2": (None, _l("Area of the parcel in square metres")),
    "owner": (None, _l("Owner of the land or client of the project")),
    "owner_uscc": (None, _l("Unified social credit code of the owner")),
    "former_industry": ("code", _l("Former industry on the parcel (GB/T 4754-2017 code)")),
    "started_on": (None, _l("Date the project started")),
    "contract_deadline": (None, _l("Deadline in the contract")),
    "completed_on": (None, _l("Date the project was completed")),
    "people": ("list", _l("Responsible persons and their roles (public id:role)")),
    "project_ref": ("text", _l("Reference number of the project")),
    "report_type": ("code", _l("Type of report reviewed (code list: report types)")),
    "round": (None, _l("Round of review of this report (1, 2, ...)")),
    "reviewed_on": (None, _l("Date of the review")),
    "passed": (None, _l("Whether the report passed the review")),
    "authority": (None, _l("Authority that decided")),
    "decision_number": (None, _l("Number of the penalty decision")),
    "party_name": (None, _l("Name of the party as in the decision")),
    "legal_representative": (None, _l("Legal representative of the party as in the decision")),
    "id_type": ("code", _l("Type of the party's identity document")),
    "subject.uscc": ("text", _l("Unified social credit code of the firm penalised")),
    "subject.public_id": ("text", _l("Public identifier of the person penalised")),
    "subject.id_number_masked": ("text", _l("ID number of the person penalised, masked")),
    "violation_type": (None, _l("Type of violation")),
    "violation": (None, _l("Facts of the violation")),
    "basis": (None, _l("Legal basis of the penalty")),
    "kinds": (None, _l("Kinds of penalty (code list: penalty kinds)")),
    "content": (None, _l("Content of the penalty decision")),
    "fine_yuan": (None, _l("Fine in yuan")),
    "confiscated_yuan": (None, _l("Illegal gains confiscated, in yuan")),
    "licence_action": (None, _l("Action on licences or qualifications")),
    "decided_on": (None, _l("Date of the decision")),
    "publicity_ends_on": (None, _l("Last day the decision is published")),
    "authority_division_code": ("code", _l("Administrative division of the deciding authority (GB/T 2260 code)")),
    "authority_uscc": (None, _l("Unified social credit code of the deciding authority")),
    "data_source": (None, _l("Source of the record")),
    "severity": ("code", _l("Severity: minor, ordinary or serious")),
    "ban.until": ("date", _l("Practice ban: last day")),
    "ban.lifetime": ("boolean", _l("Practice ban for life")),
    "ban.categories": ("list", _l("Practice ban: lines of business banned (empty: all of the firm's)")),
    "repaired_on": (None, _l("Date the credit was repaired")),
    "received_on": (None, _l("Date the report of false performance was received")),
    "status": ("code", _l("Status of the report (substantiated)")),
    "verified_on": (None, _l("Date the report was verified")),
    "finding": (None, _l("Finding of the verification")),
    "generated_on": ("date", _l("Date the file was generated (what was public on that day)")),
}


# The code lists the files use, each with the columns that hold its codes (shown on the open-data page with names).
CODE_LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "category": ("categories", "category", "ban.categories"), "report_type": ("report_type",),
    "role": ("people",), "penalty_kind": ("kinds",), "severity": ("severity",), "complaint_status": ("status",),
    "id_type": ("id_type",), "province": ("division_code", "authority_division_code"),
}


def code_lists() -> dict[str, tuple[tuple[str, ...], list[str]]]:
    """Each code list the files use: the columns that hold its codes, and its codes in order."""
    return {name: (columns, list(CODE_LISTS[name])) for name, columns in CODE_LIST_COLUMNS.items()}


@dataclass(frozen=True)
class DictionaryEntry:
    """One column of one kind of record: its name, type and meaning."""

    name: str
    type: str
    meaning: str


def _schema_type(kind: str, column: str) -> str | None:
    field = PUBLIC_SCHEMAS[kind]._declared_fields.get(column)
    return next((name for cls, name in SCHEMA_TYPES if isinstance(field, cls)), None)


def data_dictionary() -> dict[str, list[DictionaryEntry]]:
    """Every column of every kind, in file order, with its type (from the export schema where the schema types
    it) and meaning. The JSON Lines fields are the same names; a dotted column is a field inside an object."""
    dictionary = {}
    for kind, columns in CSV_KINDS.items():
        entries = []
        for column in columns + CSV_EXTRA_COLUMNS:
            own_type, meaning = FIELDS.get(f"{kind}:{column}") or FIELDS[column]
            type_code = own_type or _schema_type(kind, column)
            entries.append(DictionaryEntry(column, TYPES[type_code], meaning))
        dictionary[kind] = entries
    return dictionary


def current_manifest() -> dict | None:
    """The manifest of the files served now; starts a background build when one is due."""
    build = refresh_in_background()
    wait = current_app.config["OPEN_DATA_WAIT_SECONDS"]
    if build is not None and wait:
        build.join(wait)
    return read_manifest()


def built_at(manifest: dict | None) -> datetime | None:
    """When the files MANIFEST names were built."""
    return datetime.fromisoformat(manifest["built_at"]) if manifest else None


def file_size(size: int) -> str:
    """A file's size for people: `512 B`, `1.8 KB`, `412.0 MB` (units of 1,024 bytes)."""
    if size < 1024:
        return f"{size} B"
    scaled, unit = size / 1024, "KB"
    for larger in ("MB", "GB"):
        if scaled < 1024:
            break
        scaled, unit = scaled / 1024, larger
    return f"{scaled:.1f} {unit}"


def download_name(manifest: dict, file_name: str) -> str:
    """The file name a download is saved under, with the day of its data: `registry-public-unit-20261126.csv`."""
    stem, suffix = file_name.rsplit(".", 1)
    day = datetime.fromisoformat(manifest["day"]).strftime("%Y%m%d")
    prefix = "" if file_name == JSONL_NAME else "registry-public-"
    return f"{prefix}{stem}-{day}.{suffix}"


def download(manifest: dict, file_name: str):
    """One published file as a download: its prebuilt gzip copy to a client that accepts gzip; ETag from its
    SHA-256, Last-Modified from the build, a 304 to a client that has it. Cache-Control is the public pages' own
    (public, max-age, never for a signed-in visitor: public_portal/caching.py)."""
    entry = manifest["files"][file_name]
    packed = request.accept_encodings["gzip"] > 0
    described = entry["gzip"] if packed else entry
    response = send_file(published_path(manifest, file_name, packed), mimetype=MIMETYPES[file_name.rsplit(".")[-1]],
                         as_attachment=True, download_name=download_name(manifest, file_name),
                         etag=described["sha256"], last_modified=built_at(manifest),
                         max_age=None, conditional=True)  # Cache-Control: public_portal/caching.py
    del response.headers["Cache-Control"]  # send_file's no-cache: the public pages' rule decides
    if packed:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def manifest_response(manifest: dict):
    """The manifest as JSON, revalidated by the build it names."""
    response = jsonify(manifest)
    response.set_etag(manifest["build"])
    response.last_modified = built_at(manifest)
    return response.make_conditional(request)
