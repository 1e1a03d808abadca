"""Authority follows the record (DESIGN §3): who owns a record, and what a firm may still change.

A complaint belongs to the authority that received it, a review to the authority that recorded it, a penalty to
the deciding authority: never to whatever division code the firm or project carries today. A project's location
is fixed once an authority has recorded anything on it, and its dates, location and responsible roles once it is
completed or has a review outcome; a change is then a correction the competent regulator accepts.
"""
from registry.rules.errors import RuleViolation

DATES = ("started_on", "contract_deadline", "completed_on")
LOCATION = "division_code"
ROLES = "people"
HISTORY = (LOCATION, *DATES, ROLES)


def record_authority(authority_division_code: str | None, project_division_code: str) -> str:
    """The division of the authority a review or complaint belongs to: the one stored with it. Records older
    than the registry may lack it; theirs is the project's location, which is fixed once they exist."""
    return authority_division_code or project_division_code


def locked_for_firm(*, recorded_by_authority: bool, completed: bool, reviewed: bool) -> tuple[str, ...]:
    """The project fields a firm can no longer change itself, given the project as it stands."""
    if completed or reviewed:
        return HISTORY
    if recorded_by_authority:
        return (LOCATION,)
    return ()


def check_firm_change(changed: set[str], locked: tuple[str, ...]) -> None:
    """Refuse a firm's edit that touches a locked field: it must be a correction the regulator accepts."""
    for field in locked:
        if field not in changed:
            continue
        if locked == (LOCATION,):
            raise RuleViolation(field, "监管部门已就该项目登记记录，项目所在地不能再由单位修改；如需更正，请提交更正申请，由主管监管部门受理",
                                "an authority has recorded something on this project, so the firm can no longer change "
                                "its location; submit a correction request for the competent regulator to accept")
        raise RuleViolation(field, "项目已完成或已有评审结果，其日期、所在地和责任人员不能再由单位修改；如需更正，请提交更正申请，由主管监管部门受理",
                            "the project is completed or has a review outcome, so the firm can no longer change its "
                            "dates, location or responsible roles; submit a correction request for the competent "
                            "regulator to accept")
