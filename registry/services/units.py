"""A firm keeps its basic information (基本情况信息) up to date; every change keeps the earlier version."""
from datetime import date

from registry.access import AccessDenied, Actor
from registry.clock import today
from registry.extensions import db
from registry.models import Unit, UnitCategory, UnitVersion
from registry.models.versions import next_version
from registry.reference import CATEGORIES
from registry.rules.cessation import check_cessation_date
from registry.rules.dates import check_not_before_earliest, check_not_in_future
from registry.rules.divisions import validate_county_code
from registry.rules.errors import Checks, RuleViolation
from registry.services import service
from registry.services.audit import enqueue_for_index, record_event, snapshot
from registry.services.registration import optional_text, required_text, validate_email


def own_unit(actor: Actor, unit_id: int, action: str) -> Unit:
    """The actor's own firm, or AccessDenied as a 404 (a firm never learns that another firm's record exists)."""
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or actor.role != "unit" or actor.unit_id != unit_id:
        raise AccessDenied(actor, action, "unit", unit_id, status=404,
                           division_code=unit.division_code if unit else None)
    return unit


def unit_snapshot(unit: Unit) -> dict:
    """The firm's basic information with its categories, as kept in UnitVersion and the audit log."""
    return {**snapshot(unit), "categories": sorted(unit.category_codes)}


def validate_categories(codes) -> list[str]:
    """Known practice categories, at least one, without repeats."""
    chosen = sorted(set(codes or []))
    if not chosen:
        raise RuleViolation("categories", "请至少选择一个从业类别", "choose at least one practice category")
    unknown = [code for code in chosen if code not in CATEGORIES]
    if unknown:
        raise RuleViolation("categories", "从业类别不存在", "unknown practice category")
    return chosen


def validated_details(*, name: str, legal_representative: str, division_code: str, address: str | None,
                      established_on: date | None, contact_phone: str | None, contact_email: str,
                      categories: list[str]) -> tuple[dict, list[str]]:
    """The column values and categories of a firm's basic information, or RuleViolation(s) naming every
    field at fault at once."""
    checks = Checks()
    values = {
        "name": checks.run(required_text, name, "name", 200, "单位名称", "the firm's name"),
        "legal_representative": checks.run(required_text, legal_representative, "legal_representative", 100,
                                           "法定代表人", "the legal representative"),
        "division_code": checks.run(validate_county_code, division_code, "division_code", city_allowed=True),
        "address": checks.run(optional_text, address, "address", 300, "地址", "the address"),
        "established_on": established_on,
        "contact_phone": checks.run(optional_text, contact_phone, "contact_phone", 50, "联系电话", "the phone number"),
        "contact_email": checks.run(validate_email, contact_email),
    }
    if established_on is not None and established_on > today():
        checks.refuse(RuleViolation("established_on", "成立日期不能晚于今天", "the founding date cannot be in the future"))
    chosen = checks.run(validate_categories, categories)
    checks.done()
    return values, chosen


def validated_change_date(changed_on: date | None) -> date:
    """The day the change happened, as the firm states it: today when not given, never in the future."""
    changed_on = changed_on or today()
    check_not_before_earliest(changed_on, "changed_on")
    check_not_in_future(changed_on, "changed_on", today())
    return changed_on


@service
def update_unit_details(actor: Actor, unit_id: int, changed_on: date | None = None, **details) -> Unit:
    """Change the firm's details and categories (the fields of `validated_details`) as of `changed_on`, the day
    the change happened (today when not given); the previous version goes to UnitVersion with that day and the
    write time, the audit log keeps before and after. The credit code is the firm's identity and login, so it is
    not editable here."""
    unit = own_unit(actor, unit_id, "edit")
    values, chosen = validated_details(**details)
    changed_on = validated_change_date(changed_on)
    before = unit_snapshot(unit)
    changed = any(getattr(unit, key) != value for key, value in values.items()) or chosen != before["categories"]
    if not changed:
        return unit
    db.session.add(next_version(unit, UnitVersion, before, replaced_by_account_id=actor.account_id,
                                changed_on=changed_on, entered_on=today()))
    for key, value in values.items():
        setattr(unit, key, value)
    unit.categories = [c for c in unit.categories if c.category in chosen]
    present = set(unit.category_codes)
    unit.categories.extend(UnitCategory(category=code) for code in chosen if code not in present)
    db.session.flush()
    record_event(actor, "unit_updated", unit, before=before, after=unit_snapshot(unit),
                 detail=f"changed on {changed_on.isoformat()}")
    enqueue_for_index("unit", unit.id)
    return unit


@service
def declare_ceased(actor: Actor, unit_id: int, ceased_on: date | None) -> Unit:
    """The firm declares that it has ceased business (注销) on `ceased_on`. Its records stay as they are and as
    public as they were; its profile says so with the date, and it adds no more projects. Declared once."""
    unit = own_unit(actor, unit_id, "declare ceased")
    if unit.ceased_on is not None:
        raise RuleViolation("ceased_on", f"本单位已于{unit.ceased_on.isoformat()}注销",
                            f"the firm already declared that it ceased business on {unit.ceased_on.isoformat()}")
    before = unit_snapshot(unit)
    unit.ceased_on = check_cessation_date(ceased_on, unit.established_on, today())
    db.session.flush()
    record_event(actor, "unit_ceased", unit, before=before, after=unit_snapshot(unit))
    enqueue_for_index("unit", unit.id)
    return unit
