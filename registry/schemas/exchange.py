"""The exchange format, version 1 (DESIGN §5): one JSON object per line, with "kind".

These schemas check the structure and types of each line; the registry's rules (check characters, codes,
references) are checked by the import service, which knows the database.
"""
from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from registry.reference import CATEGORIES, COMPLAINT_STATUSES, PENALTY_KINDS, REPORT_TYPES, ROLES, SEVERITIES


# The largest amount a Numeric(14, 2) column holds (areas in m², fines in yuan).
MAX_AMOUNT = Decimal("999999999999.99")


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
    categories = fields.List(fields.Str(validate=validate.OneOf(list(CATEGORIES))), required=True,
                             validate=validate.Length(min=1))
    established_on = fields.Date(allow_none=True)
    contact_phone = fields.Str(allow_none=True, validate=validate.Length(max=50))
    ceased_on = fields.Date(allow_none=True)  # declared ceased business; an import adds it, never erases it
    commitment = fields.Nested(CommitmentSchema, allow_none=True)
    non_disclosed = fields.Nested(NonDisclosedSchema, allow_none=True)


class PersonSchema(Strict):
    kind = fields.Str(required=True)
    id_number = fields.Str(required=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    unit_uscc = fields.Str(required=True)
    title = fields.Str(allow_none=True, validate=validate.Length(max=100))
    employed_since = fields.Date(allow_none=True)  # when the person joined the firm; the import's day if missing
    commitment = fields.Nested(CommitmentSchema, allow_none=True)
    non_disclosed = fields.Nested(NonDisclosedSchema, allow_none=True)


class ProjectPersonSchema(Strict):
    id_number = fields.Str(required=True)
    role = fields.Str(required=True, validate=validate.OneOf(list(ROLES)))


class ProjectSchema(Strict):
    kind = fields.Str(required=True)
    ref = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    unit_uscc = fields.Str(required=True)
    category = fields.Str(required=True, validate=validate.OneOf(list(CATEGORIES)))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    parcel_name = fields.Str(allow_none=True, validate=validate.Length(max=300))
    division_code = fields.Str(required=True)
    area_m2 = fields.Decimal(required=True, places=2, validate=validate.Range(min=0, min_inclusive=False, max=MAX_AMOUNT))
    owner = fields.Str(allow_none=True, validate=validate.Length(max=200))
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
    violation_type = fields.Str(allow_none=True, validate=validate.Length(max=200))
    violation = fields.Str(allow_none=True)
    basis = fields.Str(allow_none=True)
    content = fields.Str(allow_none=True)
    licence_action = fields.Str(allow_none=True, validate=validate.Length(max=200))
    data_source = fields.Str(allow_none=True, validate=validate.Length(max=200))
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
}


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
