"""The exchange format, version 1 (DESIGN §5): one JSON object per line, with "kind".

The `*Schema` classes check the structure and types of each line an import reads; the registry's rules (check
characters, codes, references) are checked by the importer, which knows the database. The `*Export` classes
dump the registry's rows in the same format: a full backup (the load schemas' own fields, so a full export
imports again) and the public open data (masked, public records only).
"""
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from registry.reference import CATEGORIES, COMPLAINT_STATUSES, PENALTY_KINDS, REPORT_TYPES, ROLES, SEVERITIES


class Strict(Schema):
    class Meta:
        unknown = RAISE


class CommitmentSchema(Strict):
    signed_at = fields.AwareDateTime(required=True)
    signer = fields.Str(required=True, validate=validate.Length(min=1, max=100))


class NonDisclosedSchema(Strict):
    reason = fields.Str(required=True, validate=validate.Length(min=1))


class UnitSchema(Strict):
    kind = fields.Str(required=True)
    uscc = fields.Str(required=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    legal_representative = fields.Str(allow_none=True, validate=validate.Length(max=100))
    division_code = fields.Str(required=True)
    address = fields.Str(allow_none=True, validate=validate.Length(max=300))
    # at least one, except for a firm a penalty created without registration (`registered: false`): the importer
    categories = fields.List(fields.Str(validate=validate.OneOf(list(CATEGORIES))), required=True)
    established_on = fields.Date(allow_none=True)
    contact_phone = fields.Str(allow_none=True, validate=validate.Length(max=50))
    ceased_on = fields.Date(allow_none=True)  # declared ceased business; an import adds it, never erases it
    commitment = fields.Nested(CommitmentSchema, allow_none=True)
    non_disclosed = fields.Nested(NonDisclosedSchema, allow_none=True)
    # optional, for a new firm only (an existing firm keeps its own): false for a firm a penalty decision created
    # without registration (absent: true); when its regulator confirmed the registration, null for a
    # self-registration not yet confirmed (absent: confirmed at the import, as a firm the authorities send)
    registered = fields.Bool(truthy={True}, falsy={False})
    registration_confirmed_at = fields.AwareDateTime(allow_none=True)


class EmploymentSchema(Strict):
    """An earlier, ended employment of a person (`earlier_employments`)."""
    unit_uscc = fields.Str(required=True)
    title = fields.Str(allow_none=True, validate=validate.Length(max=100))
    started_on = fields.Date(required=True)
    ended_on = fields.Date(required=True)
    end_entered_on = fields.Date(allow_none=True)  # the day the firm entered the departure

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        if "started_on" in data and "ended_on" in data and data["ended_on"] < data["started_on"]:
            raise ValidationError("an employment ends on or after its start", "ended_on")
        if data.get("end_entered_on") and "ended_on" in data and data["end_entered_on"] < data["ended_on"]:
            raise ValidationError("a departure is entered on or after the day it took effect", "end_entered_on")


class PersonSchema(Strict):
    kind = fields.Str(required=True)
    id_number = fields.Str(required=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    # null only for a person a penalty created without registration (`registered: false`), who has no firm
    unit_uscc = fields.Str(required=True, allow_none=True)
    title = fields.Str(allow_none=True, validate=validate.Length(max=100))
    employed_since = fields.Date(allow_none=True)  # when the person joined the firm; the import's day if missing
    commitment = fields.Nested(CommitmentSchema, allow_none=True)
    non_disclosed = fields.Nested(NonDisclosedSchema, allow_none=True)
    # optional: false for a person a penalty decision created without registration (absent: true; a new
    # person only). The day the person left the firm above, and the day the firm entered it (absent: still
    # there); and the ended employments before it, oldest first (a new person only: an existing one keeps its own)
    registered = fields.Bool(truthy={True}, falsy={False})
    employed_until = fields.Date(allow_none=True)
    end_entered_on = fields.Date(allow_none=True)
    earlier_employments = fields.List(fields.Nested(EmploymentSchema), validate=validate.Length(max=200))


class ProjectPersonSchema(Strict):
    id_number = fields.Str(required=True)
    role = fields.Str(required=True, validate=validate.OneOf(list(ROLES)))


class ProjectSchema(Strict):
    kind = fields.Str(required=True)
    ref = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    unit_uscc = fields.Str(required=True)
    category = fields.Str(required=True, validate=validate.OneOf(list(CATEGORIES)))
    name = fields.Str(required=True)  # the texts' rule: rules.projects.project_text, as in the form
    parcel_name = fields.Str(allow_none=True)
    division_code = fields.Str(required=True)
    area_m2 = fields.Decimal(required=True, places=2)  # its range is rules.amounts.check_area, as in the form
    owner = fields.Str(allow_none=True)
    owner_uscc = fields.Str(allow_none=True)
    former_industry = fields.Str(allow_none=True)
    started_on = fields.Date(allow_none=True)
    contract_deadline = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)
    people = fields.List(fields.Nested(ProjectPersonSchema), load_default=list)
    non_disclosed = fields.Nested(NonDisclosedSchema, allow_none=True)
    # the order and plausibility of the dates are rules.dates.check_project_dates, applied by the importer


class ReviewSchema(Strict):
    kind = fields.Str(required=True)
    project_ref = fields.Str(required=True)
    report_type = fields.Str(required=True, validate=validate.OneOf(list(REPORT_TYPES)))
    round = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=99))
    reviewed_on = fields.Date(required=True)
    passed = fields.Bool(required=True, truthy={True}, falsy={False})
    authority = fields.Str(allow_none=True, validate=validate.Length(max=200))
    authority_division_code = fields.Str(allow_none=True)
    non_disclosed = fields.Nested(NonDisclosedSchema, allow_none=True)


class SubjectSchema(Strict):
    uscc = fields.Str()
    id_number = fields.Str()

    @validates_schema
    def exactly_one(self, data, **kwargs):
        if ("uscc" in data) == ("id_number" in data):
            raise ValidationError("exactly one of uscc or id_number", "subject")


class BanSchema(Strict):
    until = fields.Date()
    lifetime = fields.Bool(truthy={True}, falsy={False})  # for a person: the decision found a crime
    categories = fields.List(fields.Str(), allow_none=True)  # a firm's banned business; absent: all of its own

    @validates_schema
    def until_or_lifetime(self, data, **kwargs):
        if ("until" in data) == bool(data.get("lifetime")):
            raise ValidationError("a ban has either an end date or lifetime: true", "ban")


class PenaltySchema(Strict):
    kind = fields.Str(required=True)
    decision_number = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    subject = fields.Nested(SubjectSchema, required=True)
    # the party as decided (double publicity); absent: the registered firm's or person's at import
    party_name = fields.Str(allow_none=True, validate=validate.Length(max=200))
    legal_representative = fields.Str(allow_none=True, validate=validate.Length(max=100))
    id_type = fields.Str(allow_none=True, validate=validate.OneOf(["resident_id_card"]))
    authority = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    authority_division_code = fields.Str(allow_none=True)
    authority_uscc = fields.Str(allow_none=True)
    decided_on = fields.Date(required=True)
    kinds = fields.List(fields.Str(validate=validate.OneOf(list(PENALTY_KINDS))), required=True,
                        validate=validate.Length(min=1))
    # absent: ordinary, or serious where the decision gives a ban (Soil Law art. 90)
    severity = fields.Str(load_default=None, validate=validate.OneOf(list(SEVERITIES)))
    # the amount rule (registry/rules/amounts.py) is applied by the import, with the form's message
    fine_yuan = fields.Decimal(allow_none=True)
    confiscated_yuan = fields.Decimal(allow_none=True)
    # the texts' lengths: rules.penalties.decision_text, as in the form
    violation_type = fields.Str(allow_none=True)
    violation = fields.Str(allow_none=True)
    basis = fields.Str(allow_none=True)
    content = fields.Str(allow_none=True)
    licence_action = fields.Str(allow_none=True)
    data_source = fields.Str(allow_none=True)
    ban = fields.Nested(BanSchema, allow_none=True)
    publicity_ends_on = fields.Date(allow_none=True)
    repaired_on = fields.Date(allow_none=True)
    non_disclosed = fields.Nested(NonDisclosedSchema, allow_none=True)


class ComplainantSchema(Strict):
    name = fields.Str(allow_none=True, validate=validate.Length(max=100))
    phone = fields.Str(allow_none=True, validate=validate.Length(max=200))
    contact = fields.Str(allow_none=True, validate=validate.Length(max=200))


class ComplaintSchema(Strict):
    kind = fields.Str(required=True)
    ref = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    project_ref = fields.Str(required=True)
    received_on = fields.Date(required=True)
    status = fields.Str(required=True, validate=validate.OneOf(list(COMPLAINT_STATUSES)))
    description = fields.Str(allow_none=True)
    verified_on = fields.Date(allow_none=True)
    finding = fields.Str(allow_none=True)
    authority = fields.Str(allow_none=True, validate=validate.Length(max=200))
    authority_division_code = fields.Str(allow_none=True)
    complainant = fields.Nested(ComplainantSchema, allow_none=True)
    non_disclosed = fields.Nested(NonDisclosedSchema, allow_none=True)

    @validates_schema
    def verified_has_date(self, data, **kwargs):
        if data.get("status") in ("substantiated", "unsubstantiated") and not data.get("verified_on"):
            raise ValidationError("a verified complaint needs verified_on", "verified_on")


SCHEMAS: dict[str, Schema] = {
    "unit": UnitSchema(),
    "person": PersonSchema(),
    "project": ProjectSchema(),
    "review": ReviewSchema(),
    "penalty": PenaltySchema(),
    "complaint": ComplaintSchema(),
}

# The order in which kinds are applied, so a line may refer to a record later in the same file.
KIND_ORDER = ["unit", "person", "project", "review", "penalty", "complaint"]

# marshmallow's messages, in Chinese for the import report.
MESSAGES_ZH = {  # the first English prefix that matches wins: ranges before their lower bounds alone
    "Longer than maximum length": "超过最大长度",
    "Must be greater than 0 and less than or equal to": "超出允许范围",
    "Must be greater than or equal to 0 and less than or equal to": "超出允许范围",
    "Must be greater than or equal to 1 and less than or equal to": "超出允许范围",
    "Missing data for required field.": "缺少必填字段",
    "Unknown field.": "未知字段",
    "Not a valid string.": "应为字符串",
    "Not a valid date.": "日期格式错误（应为 YYYY-MM-DD）",
    "Not a valid datetime.": "时间格式错误（应为带时区的 ISO 8601）",
    "Not a valid aware datetime.": "时间应带时区偏移（ISO 8601）",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Not a valid boolean.": "应为 true 或 false",
    "Not a valid list.": "应为列表",
    "Field may not be null.": "不能为空",
    "Invalid input type.": "类型错误",
    "Shorter than minimum length 1.": "不能为空",
    "Must be greater than 0.": "必须大于0",
    "Must be greater than or equal to 0.": "不能为负数",
    "Must be greater than or equal to 1.": "必须大于或等于1",
    "Must be one of": "不在代码表中",
    "exactly one of uscc or id_number": "处罚对象应为统一社会信用代码或身份证号码之一",
    "a ban has either an end date or lifetime: true": "禁止从业应有截止日期或为终身",
    "a verified complaint needs verified_on": "已核查的举报应有核查日期",
    "an employment ends on or after its start": "离职日期不能早于入职日期",
    "a departure is entered on or after the day it took effect": "离职登记日期不能早于离职日期",
}


# -- export -------------------------------------------------------------------------------------------------------

class _Export:
    """Dumps a registry row. `lookups` holds what the row does not hold itself: the natural keys of the rows it
    refers to (`uscc_of`, `ref_of`, `id_number_of`, ...), gathered once per export by registry.exchange.export."""

    def __init__(self, lookups, **kwargs):
        super().__init__(**kwargs)
        self.lookups = lookups

    def non_disclosed(self, row):
        return {"reason": row.non_disclosure_reason} if row.non_disclosure_reason else None

    def firm(self, row):
        return self.lookups.uscc_of.get(row.unit_id)

    def signed(self, row):
        """A commitment as the full export carries it: when it was signed and by whom."""
        if row.commitment_signed_at is None:
            return None
        return {"signed_at": row.commitment_signed_at, "signer": self.lookups.signers.get((self.signs, row.id), "")}


def _ban(penalty) -> dict | None:
    ban = {"lifetime": True} if penalty.ban_lifetime else ({"until": penalty.ban_until} if penalty.ban_until else None)
    if ban and penalty.ban_categories:
        ban["categories"] = penalty.ban_categories
    return ban


class UnitExport(_Export, UnitSchema):
    signs = "unit"  # whose commitment: lookups.signers is keyed by ("unit" or "person", id)
    kind = fields.Constant("unit")
    categories = fields.List(fields.Str(), attribute="category_codes")
    commitment = fields.Method("signed")
    non_disclosed = fields.Method("non_disclosed")


class PersonExport(_Export, PersonSchema):
    """A person with their current (else last) employment, which `lookups.employment_of` has (none for a person
    a penalty created without registration), and the employments before it."""
    signs = "person"
    kind = fields.Constant("person")
    id_number = fields.Method("full_id_number")
    unit_uscc = fields.Method("employer")
    employed_since = fields.Method("since")
    commitment = fields.Method("signed")
    non_disclosed = fields.Method("non_disclosed")

    employed_until = fields.Method("until")
    end_entered_on = fields.Method("end_entered")
    earlier_employments = fields.Method("earlier")

    def full_id_number(self, person):
        return self.lookups.id_number_of[person.id]

    def employer(self, person):
        employment = self.lookups.employment_of.get(person.id)
        return self.lookups.uscc_of[employment.unit_id] if employment else None

    def since(self, person):
        employment = self.lookups.employment_of.get(person.id)
        return employment.started_on.isoformat() if employment else None

    def until(self, person):
        employment = self.lookups.employment_of.get(person.id)
        return employment.ended_on.isoformat() if employment and employment.ended_on else None

    def end_entered(self, person):
        employment = self.lookups.employment_of.get(person.id)
        return employment.end_entered_on.isoformat() if employment and employment.end_entered_on else None

    def earlier(self, person):
        line = self.lookups.employment_of.get(person.id)
        return [{"unit_uscc": self.lookups.uscc_of[e.unit_id], "title": e.title, "started_on": e.started_on.isoformat(),
                 "ended_on": e.ended_on.isoformat(),
                 "end_entered_on": e.end_entered_on.isoformat() if e.end_entered_on else None}
                for e in sorted(person.employments, key=lambda e: (e.started_on, e.id)) if e is not line]


class ProjectExport(_Export, ProjectSchema):
    kind = fields.Constant("project")
    unit_uscc = fields.Method("firm")
    people = fields.Method("roles")
    non_disclosed = fields.Method("non_disclosed")

    def roles(self, project):
        return [{"id_number": self.lookups.id_number_of[role.person_id], "role": role.role} for role in project.roles]


class ReviewExport(_Export, ReviewSchema):
    kind = fields.Constant("review")
    project_ref = fields.Method("project")
    non_disclosed = fields.Method("non_disclosed")

    def project(self, review):
        return self.lookups.ref_of[review.project_id]


class PenaltyExport(_Export, PenaltySchema):
    kind = fields.Constant("penalty")
    subject = fields.Method("party")
    ban = fields.Function(_ban)
    non_disclosed = fields.Method("non_disclosed")

    def party(self, penalty):
        if penalty.unit_id:
            return {"uscc": self.lookups.uscc_of[penalty.unit_id]}
        return {"id_number": self.lookups.id_number_of[penalty.person_id]}


class ComplaintExport(_Export, ComplaintSchema):
    kind = fields.Constant("complaint")
    project_ref = fields.Method("project")
    complainant = fields.Method("reporter")
    non_disclosed = fields.Method("non_disclosed")

    def project(self, complaint):
        return self.lookups.ref_of[complaint.project_id]

    def reporter(self, complaint):
        if not (complaint.complainant_name or complaint.complainant_contact):
            return None
        return {"name": complaint.complainant_name, "contact": complaint.complainant_contact}


# The public export (open data, DESIGN §5 `--public`): what the public may see today, masked, never re-imported.

class PublicUnitExport(_Export, Schema):
    kind = fields.Constant("unit")
    uscc = fields.Str()
    name = fields.Str()
    legal_representative = fields.Str(allow_none=True)
    division_code = fields.Str()
    address = fields.Str(allow_none=True)
    categories = fields.List(fields.Str(), attribute="category_codes")
    established_on = fields.Date(allow_none=True)
    ceased_on = fields.Date(allow_none=True)
    registration_confirmed = fields.Function(lambda unit: unit.registration_confirmed_at is not None)
    commitment = fields.Function(lambda unit: {"signed_at": unit.commitment_signed_at})


# a firm whose basic information is not public: its name, and a declared cessation, which is on every profile
PUBLIC_UNIT_PROFILE_ONLY = ("kind", "uscc", "name", "ceased_on", "registration_confirmed")


class PublicPersonExport(_Export, Schema):
    """A listed person; the firm and title only where their basic information is public, as on their page
    (`lookups.basic_persons`: the ids `visibility.person_basic_is_public` passes)."""
    kind = fields.Constant("person")
    public_id = fields.Str()
    id_number_masked = fields.Str()
    name = fields.Str()
    unit_uscc = fields.Method("employer")
    title = fields.Method("public_title")

    def employer(self, person):
        employment = person.current_employment
        if employment is None or person.id not in self.lookups.basic_persons:
            return None
        return self.lookups.uscc_of.get(employment.unit_id)

    def public_title(self, person):
        return person.title if person.id in self.lookups.basic_persons else None


class PublicProjectExport(_Export, Schema):
    kind = fields.Constant("project")
    ref = fields.Str()
    unit_uscc = fields.Method("firm")
    category = fields.Str()
    name = fields.Str()
    parcel_name = fields.Str(allow_none=True)
    division_code = fields.Str()
    area_m2 = fields.Decimal()
    owner = fields.Str(allow_none=True)
    owner_uscc = fields.Str(allow_none=True)
    former_industry = fields.Str(allow_none=True)
    started_on = fields.Date(allow_none=True)
    contract_deadline = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)
    people = fields.Method("public_roles")

    def public_roles(self, project):
        """The roles of people whose own record is public (listed, with their commitment in force)."""
        persons = self.lookups.public_persons
        return [{"public_id": persons[role.person_id].public_id,
                 "id_number_masked": persons[role.person_id].id_number_masked, "role": role.role}
                for role in project.roles
                if role.person_id in self.lookups.basic_persons]


class PublicReviewExport(_Export, Schema):
    kind = fields.Constant("review")
    project_ref = fields.Method("public_project")
    unit_uscc = fields.Method("firm")
    report_type = fields.Str()
    round = fields.Int()
    reviewed_on = fields.Date()
    passed = fields.Bool()
    authority = fields.Str(allow_none=True)

    def public_project(self, review):
        return self.lookups.public_refs.get(review.project_id)

    def firm(self, review):
        return self.lookups.uscc_of.get(self.lookups.unit_of_project[review.project_id])


class PublicPenaltyExport(_Export, PenaltySchema):
    """A penalty public today with its double-publicity fields; one whose only its active ban is public carries
    the ban alone (PUBLIC_PENALTY_BAN_ONLY)."""
    kind = fields.Constant("penalty")
    subject = fields.Method("public_party")
    ban = fields.Function(_ban)

    def public_party(self, penalty):
        if penalty.unit_id:
            return {"uscc": self.lookups.uscc_of.get(penalty.unit_id)}
        person = self.lookups.public_persons.get(penalty.person_id)
        return {"public_id": person.public_id, "id_number_masked": person.id_number_masked} if person else None


PUBLIC_PENALTY_FIELDS = tuple(name for name in PenaltySchema().fields if name != "non_disclosed")
PUBLIC_PENALTY_BAN_ONLY = ("kind", "decision_number", "subject", "ban")


class PublicComplaintExport(_Export, Schema):
    """A substantiated complaint: never its complainant, nor the complaint's own text."""
    kind = fields.Constant("complaint")
    ref = fields.Str()
    project_ref = fields.Method("public_project")
    unit_uscc = fields.Method("firm")
    received_on = fields.Date()
    status = fields.Str()
    verified_on = fields.Date(allow_none=True)
    finding = fields.Str(allow_none=True)
    authority = fields.Str(allow_none=True)

    def public_project(self, complaint):
        return self.lookups.public_refs.get(complaint.project_id)

    def firm(self, complaint):
        return self.lookups.uscc_of.get(self.lookups.unit_of_project[complaint.project_id])


def message_zh(message_en: str) -> str:
    for english, chinese in MESSAGES_ZH.items():
        if message_en.startswith(english):
            return chinese
    return "字段值无效"


def first_error(messages, path: str = "") -> tuple[str, str]:
    """The first (field path, English message) in marshmallow's nested error dict."""
    if isinstance(messages, dict):
        key, value = next(iter(messages.items()))
        if key == "_schema":
            return first_error(value, path)
        return first_error(value, f"{path}.{key}" if path else str(key))
    if isinstance(messages, list):
        return first_error(messages[0], path)
    return path or "line", str(messages)
