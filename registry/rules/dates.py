"""Plausible dates (DESIGN §3): one function per invariant, called by the forms' services and by the import,
so a date the form refuses the import refuses too, with the same message."""
from datetime import date

from registry.rules.errors import Checks, RuleViolation

EARLIEST = date(1990, 1, 1)  # the registry keeps no record older than this
DEADLINE_HORIZON_YEARS = 20  # a contract deadline lies at most this far after the start

# field: (Chinese label, English label), as the forms name them
LABELS = {
    "started_on": ("开始日期", "the start date"),
    "contract_deadline": ("合同约定完成期限", "the contract deadline"),
    "completed_on": ("实际完成日期", "the completion date"),
    "reviewed_on": ("评审日期", "the review date"),
    "received_on": ("受理日期", "the date of receipt"),
    "verified_on": ("核查日期", "the verification date"),
    "employed_since": ("入职日期", "the date the person joined the firm"),
    "changed_on": ("信息变化日期", "the date of the change"),
    "ceased_on": ("注销日期", "the date the firm ceased business"),
    "ended_on": ("离职日期", "the date the person left"),
}


def _label(field: str) -> tuple[str, str]:
    return LABELS.get(field, ("日期", "the date"))


def check_not_before_earliest(value: date | None, field: str) -> None:
    """No date before 1990-01-01: an earlier one is a typing error (a year of 0202, say)."""
    if value is not None and value < EARLIEST:
        zh, en = _label(field)
        raise RuleViolation(field, f"{zh}不能早于{EARLIEST.isoformat()}",
                            f"{en} cannot be before {EARLIEST.isoformat()}")


def check_not_in_future(value: date | None, field: str, today: date) -> None:
    """A date that records an event (completion, review, receipt, verification) is never after today."""
    if value is not None and value > today:
        zh, en = _label(field)
        raise RuleViolation(field, f"{zh}不能晚于今天", f"{en} cannot be in the future")


def check_event_date(value: date | None, field: str, today: date) -> None:
    """An event's date: from 1990-01-01 through today."""
    check_not_before_earliest(value, field)
    check_not_in_future(value, field, today)


def check_not_before(later: date | None, later_field: str, earlier: date | None, earlier_field: str) -> None:
    """`later` is on or after `earlier` (a deadline after the start, a verification after the receipt)."""
    if later is not None and earlier is not None and later < earlier:
        zh, en = _label(later_field)
        earlier_zh, earlier_en = _label(earlier_field)
        raise RuleViolation(later_field, f"{zh}不能早于{earlier_zh}", f"{en} cannot be before {earlier_en}")


def deadline_horizon(started_on: date | None, today: date) -> date:
    """The latest plausible contract deadline: 20 years after the start (or after today, without a start)."""
    base = started_on or today
    if base.year + DEADLINE_HORIZON_YEARS > date.max.year:
        return date.max
    try:
        return base.replace(year=base.year + DEADLINE_HORIZON_YEARS)
    except ValueError:  # 29 February
        return base.replace(year=base.year + DEADLINE_HORIZON_YEARS, day=28)


def check_deadline_horizon(contract_deadline: date | None, started_on: date | None, today: date) -> None:
    """A contract deadline of 9999-12-31 was once published: at most 20 years after the start."""
    if contract_deadline is not None and contract_deadline > deadline_horizon(started_on, today):
        raise RuleViolation("contract_deadline", f"合同约定完成期限不能晚于开始日期后{DEADLINE_HORIZON_YEARS}年",
                            f"the contract deadline cannot be more than {DEADLINE_HORIZON_YEARS} years after the start")


def check_project_dates(started_on: date | None, contract_deadline: date | None, completed_on: date | None,
                        today: date) -> None:
    """Every date rule of a project, in the order a reader fills the form; all refusals at once (a form shows
    each beside its field, an import line names the first)."""
    checks = Checks()
    checks.run(check_not_before_earliest, started_on, "started_on")
    checks.run(check_not_before_earliest, contract_deadline, "contract_deadline")
    checks.run(check_not_before, contract_deadline, "contract_deadline", started_on, "started_on")
    checks.run(check_deadline_horizon, contract_deadline, started_on, today)
    checks.run(check_event_date, completed_on, "completed_on", today)
    if not checks.failed("completed_on"):
        checks.run(check_not_before, completed_on, "completed_on", started_on, "started_on")
    checks.done()


def check_complaint_dates(received_on: date | None, verified_on: date | None, today: date) -> None:
    """A complaint is received, then verified, both on or before today."""
    check_event_date(received_on, "received_on", today)
    check_event_date(verified_on, "verified_on", today)
    check_not_before(verified_on, "verified_on", received_on, "received_on")
