"""The audit trail of one record, as a regulator reads it: who, when, what, and what changed, in words.

The log keeps codes (`penalty_recorded`, `unit_id`, `["fine"]`, `false`, UTC instants) so that it means the
same in every language and can never be rewritten; this module puts them in the reader's words when shown:
event names, field labels, code values by name, 是/否, record numbers by name, times in Beijing time.
"""
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from registry.clock import beijing_time
from registry.extensions import db
from registry.i18n import division_name, industry_name, label, lazy_gettext as _l, list_separator
from registry.models import Account, AuditEvent, Person, Project, Unit
from registry.queries.paging import Page, paginate
from registry.reference import CODE_LISTS

PER_PAGE = 50
# Never shown in a trail, even to a regulator: the trail is for what changed, not for secrets.
HIDDEN_KEYS = {"password_hash", "id_number_ciphertext", "id_number_hmac", "code_hmac", "address_hmac",
               "totp_secret_ciphertext"}

EVENTS = {
    "access_denied": _l("Access refused"),
    "account_activated": _l("Account restored"),
    "account_created": _l("Account created"),
    "account_reinstated": _l("Account reinstated"),
    "account_suspended": _l("Account suspended"),
    "commitment_signed": _l("Signed the commitment letter"),
    "correction_requested": _l("Correction requested"),
    "complaint_filed": _l("Complaint filed"),
    "credit_report_issued": _l("Credit report issued"),
    "complaint_received": _l("Complaint marked received"),
    "complaint_verifying": _l("Complaint verification started"),
    "complaint_substantiated": _l("Complaint found true"),
    "complaint_unsubstantiated": _l("Complaint found untrue"),
    "correction_accepted": _l("Correction of project history accepted"),
    "correction_refused": _l("Correction of project history refused"),
    "employment_ended": _l("Employment ended"),
    "employment_started": _l("Employment started"),
    "id_number_revealed": _l("Full ID number shown"),
    "import": _l("Bulk import"),
    "invitation_issued": _l("Invitation code issued"),
    "invitation_redeemed": _l("Invitation code redeemed"),
    "login": _l("Signed in"),
    "login_failed": _l("Sign-in failed"),
    "login_password_accepted": _l("Password accepted, second factor awaited"),
    "login_refused_locked": _l("Sign-in refused: account locked"),
    "logout": _l("Signed out"),
    "marked_non_disclosed": _l("Withheld from publication"),
    "non_disclosure_lifted": _l("Withholding lifted"),
    "password_change_failed": _l("Password change failed"),
    "password_change_refused_locked": _l("Password change refused: account locked"),
    "password_changed": _l("Password changed"),
    "penalty_recorded": _l("Penalty recorded"),
    "penalty_repaired": _l("Credit repair granted"),
    "person_created": _l("Person registered"),
    "person_created_from_penalty": _l("Unregistered person entered from a penalty decision"),
    "person_registration_claimed": _l("Registration took over a record made from a penalty"),
    "person_looked_up_by_id_number": _l("Looked up by full ID number"),
    "project_corrected": _l("Project corrected"),
    "project_created": _l("Project recorded"),
    "project_roles_updated_by_import": _l("Project roles changed by import"),
    "project_updated": _l("Project changed"),
    "repair_application_recorded": _l("Credit-repair application recorded"),
    "repair_refused": _l("Credit repair refused"),
    "recovery_codes_renewed": _l("Recovery codes renewed"),
    "registration_confirmed": _l("Registration confirmed"),
    "registration_handed_over": _l("Registration handed to the rightful firm"),
    "registration_suspended": _l("Registration suspended"),
    "review_recorded": _l("Review outcome recorded"),
    "review_corrected": _l("Review outcome corrected on its subject's request"),
    "penalty_corrected": _l("Penalty corrected on its subject's request"),
    "finding_corrected": _l("Finding corrected on its subject's request"),
    "record_correction_requested": _l("Correction of a record requested by its subject"),
    "record_correction_accepted": _l("Correction of a record accepted"),
    "record_correction_refused": _l("Correction of a record refused"),
    "statement_saved": _l("Statement by the subject published"),
    "statement_withdrawn": _l("Statement by the subject withdrawn"),
    "second_factor_enrolled": _l("Second factor enrolled"),
    "second_factor_reset": _l("Second factor reset"),
    "sign_in_reset": _l("Sign-in reset"),
    "staff_proposed": _l("Firm proposed that the person join it"),
    "unit_registered": _l("Firm registered"),
    "unit_created_from_penalty": _l("Unregistered firm entered from a penalty decision"),
    "unit_registration_claimed": _l("Registration took over a record made from a penalty"),
    "unit_updated": _l("Basic information changed"),
    "unit_ceased": _l("Firm declared ceased business"),
}
# The import writes `<table>_imported` and `<table>_updated_by_import` for every kind of record.
IMPORTED = re.compile(r"^[a-z]+_imported$")
UPDATED_BY_IMPORT = re.compile(r"^[a-z]+_updated_by_import$")

FIELDS = {
    "active": _l("Account active"),
    "address": _l("Address"),
    "application": _l("Repair application number"),
    "applied_on": _l("Applied on"),
    "area_m2": _l("Area (m²)"),
    "authority": _l("Authority"),
    "authority_division_code": _l("Authority's division"),
    "authority_name": _l("Authority name"),
    "authority_uscc": _l("Authority's credit code"),
    "ban_lifetime": _l("Lifetime practice ban"),
    "registered": _l("Registered by the party itself"),
    "ban_until": _l("Practice ban until"),
    "basis": _l("Legal basis"),
    "categories": _l("Practice categories"),
    "category": _l("Category"),
    "commitment_signed_at": _l("Commitment signed at"),
    "complainant_contact": _l("Complainant's contact"),
    "complainant_name": _l("Complainant's name"),
    "completed_on": _l("Completed on"),
    "confiscated_yuan": _l("Confiscated (yuan)"),
    "consent_to_publish": _l("Consent to publication"),
    "contact_email": _l("Contact email"),
    "contact_phone": _l("Contact phone"),
    "content": _l("Content of the penalty"),
    "contract_deadline": _l("Contract deadline"),
    "created_at": _l("Created at"),
    "created_by_account_id": _l("Created by"),
    "project_ref": _l("Project reference"),
    "data_source": _l("Data source"),
    "decided_on": _l("Decision date"),
    "decision_number": _l("Decision number"),
    "description": _l("Description"),
    "display_name": _l("Display name"),
    "division_code": _l("Division"),
    "email": _l("Email"),
    "ended_on": _l("Ended on"),
    "established_on": _l("Established on"),
    "expires_at": _l("Expires at"),
    "finding": _l("Finding"),
    "fine_yuan": _l("Fine (yuan)"),
    "former_industry": _l("Former industry"),
    "handled_by_account_id": _l("Handled by"),
    "id": _l("Record number"),
    "grounds": _l("Grounds of the application"),
    "id_number_masked": _l("ID number"),
    "kinds": _l("Penalty kinds"),
    "legal_representative": _l("Legal representative"),
    "licence_action": _l("Licence action"),
    "materials": _l("Materials received"),
    "must_change_password": _l("Must change the password"),
    "name": _l("Name"),
    "non_disclosed_at": _l("Withheld at"),
    "non_disclosure_reason": _l("Reason for withholding"),
    "non_disclosure_scope": _l("What is withheld"),
    "owner": _l("Land owner"),
    "owner_uscc": _l("Land owner's credit code"),
    "parcel_name": _l("Parcel"),
    "passed": _l("Passed"),
    "people": _l("People and roles"),
    "person_id": _l("Person"),
    "position": _l("Position"),
    "project_id": _l("Project"),
    "public_id": _l("Public reference"),
    "publicity_ends_on": _l("Publicity ends on"),
    "reason": _l("Reason"),
    "recovery_codes": _l("Recovery codes issued"),
    "received_on": _l("Received on"),
    "record_id": _l("Record number"),
    "record_type": _l("Kind of record"),
    "recorded_by_account_id": _l("Recorded by"),
    "registration_confirmed_at": _l("Registration confirmed at"),
    "registration_suspended_at": _l("Registration suspended at"),
    "ref": _l("Reference number"),
    "repaired_by_account_id": _l("Repair granted by"),
    "repaired_on": _l("Repaired on"),
    "report_type": _l("Report type"),
    "reviewed_on": _l("Review date"),
    "role": _l("Role"),
    "roles": _l("People and roles"),
    "round": _l("Round"),
    "severity": _l("Severity"),
    "signed_at": _l("Signed at"),
    "signed_by_account_id": _l("Signed by"),
    "signer": _l("Signer"),
    "started_on": _l("Started on"),
    "status": _l("Status"),
    "text": _l("Text"),
    "text_version": _l("Text version"),
    "title": _l("Title"),
    "unit_id": _l("Firm"),
    "updated_at": _l("Changed at"),
    "username": _l("Username"),
    "verified_on": _l("Verified on"),
    "version": _l("Version"),
    "violation": _l("Facts of the violation"),
    "violation_type": _l("Type of violation"),
}
# Fields whose values are codes of a code list, shown by name.
CODE_FIELDS = {"category": "category", "categories": "category", "report_type": "report_type",
               "kinds": "penalty_kind", "materials": "repair_material", "severity": "severity", "status": "complaint_status"}
ACCOUNT_ROLES = {"admin": _l("National administrator"), "regulator": _l("Regulator"),
                 "unit": _l("Firm"), "person": _l("Person")}
DETAILS = {"found": _l("found"), "not found": _l("not found"), "account locked": _l("account locked")}
ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Change:
    field: str
    before: object
    after: object


@dataclass
class Line:
    """One event as the trail shows it."""

    event: AuditEvent
    when: str
    action: str
    detail: str | None
    changes: list[tuple[str, str, str]]  # field label, before, after


def changes(before: dict | None, after: dict | None) -> list[Change]:
    """The fields whose values differ between two snapshots (all of `after` for a creation)."""
    before, after = before or {}, after or {}
    keys = [k for k in list(after) + [k for k in before if k not in after] if k not in HIDDEN_KEYS]
    return [Change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def beijing_time_text(instant: datetime) -> str:
    """An instant as the reader's Beijing wall-clock time, labelled."""
    return beijing_time(instant, seconds=True)


def event_name(action: str) -> str:
    """An audit action in the reader's words."""
    if action in EVENTS:
        return str(EVENTS[action])
    if IMPORTED.match(action):
        return _("Created by import")
    if UPDATED_BY_IMPORT.match(action):
        return _("Changed by import")
    return action.replace("_", " ")


def field_name(field: str) -> str:
    """A snapshot key in the reader's words."""
    return str(FIELDS[field]) if field in FIELDS else field.replace("_", " ")


class Names:
    """Names of the records a trail page refers to by number, loaded once per page."""

    MODELS = {"unit_id": Unit, "person_id": Person, "project_id": Project}

    def __init__(self):
        self.cache: dict[tuple, str] = {}

    def of(self, field: str, record_id) -> str:
        model = Account if field.endswith("account_id") else self.MODELS[field]
        key = (model, record_id)
        if key not in self.cache:
            record = db.session.get(model, record_id) if isinstance(record_id, int) else None
            self.cache[key] = self.describe(record, record_id)
        return self.cache[key]

    @staticmethod
    def describe(record, record_id) -> str:
        if record is None:
            return _("record %(id)s", id=record_id)
        if isinstance(record, Account):
            return record.username
        if isinstance(record, Person):
            return f"{record.name} ({record.id_number_masked})"
        return record.name


def value_text(field: str, value, names: Names) -> str:
    """A snapshot value in the reader's words: codes by name, 是/否, record numbers by name, Beijing time."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    separator = list_separator()
    if field in CODE_FIELDS:
        codes = value if isinstance(value, list) else [value]
        return separator.join(label(CODE_FIELDS[field], code) if code in CODE_LISTS[CODE_FIELDS[field]] else str(code)
                              for code in codes)
    if field == "role" and value in ACCOUNT_ROLES:
        return str(ACCOUNT_ROLES[value])
    if field == "role":
        return label("role", value)
    if field in ("people", "roles"):
        pairs = [(item["person_id"], item["role"]) if isinstance(item, dict) else tuple(item) for item in value]
        return separator.join(f"{names.of('person_id', person)} ({label('role', role)})" for person, role in pairs)
    if field.endswith("division_code"):
        return f"{division_name(value)} ({value})"
    if field == "former_industry":
        return f"{industry_name(value)} ({value})"
    if field in Names.MODELS or field.endswith("account_id"):
        return names.of(field, value)
    if isinstance(value, str) and ISO_INSTANT.match(value):
        try:
            return beijing_time_text(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def detail_text(event: AuditEvent) -> str | None:
    """The event's note in the reader's words where it is a known phrase (a refusal names no code)."""
    if event.detail is None:
        return None
    if event.action == "access_denied":
        return None
    if event.detail.startswith("masked "):
        return _("shown as %(masked)s", masked=event.detail.removeprefix("masked "))
    return str(DETAILS[event.detail]) if event.detail in DETAILS else event.detail


def record_trail(record_type: str, record_id: int, page: int = 1) -> tuple[Page, list]:
    """The audit events of one record, newest first, paginated, each in the reader's words."""
    statement = (select(AuditEvent)
                 .where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
                 .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    result = paginate(statement, page, PER_PAGE)
    names = Names()
    lines = [Line(event, beijing_time_text(event.at), event_name(event.action), detail_text(event),
                  [(field_name(c.field), value_text(c.field, c.before, names), value_text(c.field, c.after, names))
                   for c in changes(event.before, event.after)])
             for event in result.items]
    return result, lines
