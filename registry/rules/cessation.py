"""A firm that declared it has ceased business (注销): its records stay, it adds no more projects."""
from datetime import date

from registry.rules.dates import check_not_before_earliest, check_not_in_future
from registry.rules.errors import RuleViolation


def check_cessation_date(ceased_on: date | None, established_on: date | None, today: date) -> date:
    """The day the firm ceased business: given, not in the future, not before the firm was established."""
    if ceased_on is None:
        raise RuleViolation("ceased_on", "请填写注销日期", "enter the date the firm ceased business")
    check_not_before_earliest(ceased_on, "ceased_on")
    check_not_in_future(ceased_on, "ceased_on", today)
    if established_on is not None and ceased_on < established_on:
        raise RuleViolation("ceased_on", "注销日期不能早于成立日期",
                            "the date the firm ceased business cannot be before its founding date")
    return ceased_on


def check_may_add_project(ceased_on: date | None) -> None:
    """A firm that ceased business records no new project."""
    if ceased_on is not None:
        raise RuleViolation("unit", f"本单位已于{ceased_on.isoformat()}注销，不能再添加项目",
                            f"the firm ceased business on {ceased_on.isoformat()} and can add no more projects")
