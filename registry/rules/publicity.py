"""How long a penalty stays public, by severity, under the rule in force on its decision date.

National credit-repair rules since 2026-04-01: minor penalties are not published; ordinary ones three
months to one year; serious ones one to three years. Before that: three months to three years for all.
The period runs from the decision date; repair may be granted once the minimum has passed; at the maximum
the penalty leaves the public view by itself (reference/measures.md, "Credit repair").
"""
import calendar
from dataclasses import dataclass
from datetime import date

from registry.reference import SEVERITIES
from registry.rules.errors import RuleViolation


@dataclass(frozen=True)
class Period:
    """Minimum and maximum publicity in months; (0, 0) means not published at all."""

    min_months: int
    max_months: int


# (effective from, {severity: Period}), newest last. Configuration may replace it (PUBLICITY_RULES).
# Minor penalties decided before 2026-04-01 keep the old regime's 3–36 months: see registry/config.py.
DEFAULT_PUBLICITY_RULES: list[tuple[date, dict[str, Period]]] = [
    (date(1900, 1, 1), {"minor": Period(3, 36), "ordinary": Period(3, 36), "serious": Period(3, 36)}),
    (date(2026, 4, 1), {"minor": Period(0, 0), "ordinary": Period(3, 12), "serious": Period(12, 36)}),
]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (2026-01-31 + 1 → 2026-02-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_for(severity: str, decided_on: date, rules=None) -> Period:
    """The publicity period of a severity under the rule in force on the decision date."""
    rules = rules or DEFAULT_PUBLICITY_RULES
    in_force = [periods for since, periods in rules if since <= decided_on]
    if not in_force:
        raise RuleViolation("decided_on", "决定日期早于任何公示期限规定", "no publicity rule is in force on the decision date")
    return in_force[-1][severity]


@dataclass(frozen=True)
class PublicityWindow:
    """The days that matter for one decision, every bound inclusive.

    The penalty is public from `public_from` (the decision date) through `public_through` (decision date plus
    the maximum period) — public on that last day itself, gone the day after. Credit repair may be granted
    from `repair_from` (decision date plus the minimum period) — on that day itself, not the day before.
    """

    public_from: date
    repair_from: date
    public_through: date


def publicity_window(severity: str, decided_on: date, rules=None) -> PublicityWindow:
    """The inclusive bounds of a decision's publicity and of its credit repair."""
    period = period_for(severity, decided_on, rules)
    return PublicityWindow(decided_on, add_months(decided_on, period.min_months),
                           add_months(decided_on, period.max_months))


# The least severity a penalty kind implies, whatever severity the decision states. Each kind in a decision
# takes the period of the stated severity or of the severity it implies, whichever is longer, and the longest
# of them applies (reference/measures.md, "Credit repair": "where one decision carries several penalty kinds,
# the longest period applies"). A practice ban is imposed only where the case is serious (Soil Law art. 90,
# DESIGN §3). No other kind implies a severity: the credit-repair rules set periods by severity, not by kind.
KIND_MINIMUM_SEVERITY: dict[str, str] = {"practice_ban": "serious"}
SEVERITY_ORDER = tuple(SEVERITIES)  # least severe first: minor, ordinary, serious


def decision_severity(stated: str, kinds) -> str:
    """The severity the public lists file a decision under: the one its authority stated, raised to what its kinds
    imply (a practice ban is serious, Soil Law art. 90), whichever is more severe."""
    implied = [KIND_MINIMUM_SEVERITY[kind] for kind in kinds or [] if kind in KIND_MINIMUM_SEVERITY]
    return max([stated, *implied], key=SEVERITY_ORDER.index)


@dataclass(frozen=True)
class Governing:
    """What sets a decision's publicity period: a severity, and the kind that implied it (None: the stated
    severity governs)."""

    severity: str
    kind: str | None = None


def governing_period(severity: str, kinds, decided_on: date, rules=None,
                     implied: dict[str, str] | None = None) -> Governing:
    """The severity whose period is the longest among the decision's kinds; on a tie the stated one governs."""
    implied = KIND_MINIMUM_SEVERITY if implied is None else implied
    governing, longest = Governing(severity), period_for(severity, decided_on, rules)
    for kind in dict.fromkeys(kinds or []):
        if kind in implied:
            period = period_for(implied[kind], decided_on, rules)
            if (period.max_months, period.min_months) > (longest.max_months, longest.min_months):
                governing, longest = Governing(implied[kind], kind), period
    return governing


def check_publicity_end(severity: str, decided_on: date, ends_on: date, rules=None) -> date:
    """A recorded publicity end lies within the period of the rule in force: from the minimum through the
    maximum, both inclusive (an earlier end is a repair, a later one exceeds the rule)."""
    window = publicity_window(severity, decided_on, rules)
    if not window.repair_from <= ends_on <= window.public_through:
        raise RuleViolation("publicity_ends_on",
                            f"公示截止日期应在{window.repair_from.isoformat()}至{window.public_through.isoformat()}之间（含）",
                            f"the publicity end must lie from {window.repair_from.isoformat()} through "
                            f"{window.public_through.isoformat()}")
    return ends_on


def check_repair_date(severity: str, decided_on: date, repaired_on: date, today: date, rules=None) -> date:
    """Credit repair is granted on or after the first day the minimum period allows, and never in the future."""
    if repaired_on > today:
        raise RuleViolation("repaired_on", "信用修复日期不能晚于今天", "the repair date cannot be in the future")
    possible_from = publicity_window(severity, decided_on, rules).repair_from
    if repaired_on < possible_from:
        raise RuleViolation("repaired_on", f"最短公示期尚未届满，自{possible_from.isoformat()}起方可办理信用修复",
                            f"the minimum publicity period has not passed: repair is possible from {possible_from.isoformat()}")
    return repaired_on


def check_decision_date(decided_on: date, today: date) -> None:
    """A penalty is recorded once decided: its decision date cannot lie in the future."""
    if decided_on > today:
        raise RuleViolation("decided_on", "处罚决定日期不能晚于今天", "the decision date cannot be in the future")


def default_publicity_end(severity: str, decided_on: date, rules=None) -> date:
    """Decision date plus the maximum period; for an unpublished (minor) penalty, the decision date itself."""
    return publicity_window(severity, decided_on, rules).public_through


def is_published_severity(severity: str, decided_on: date, rules=None) -> bool:
    """False for severities the rule in force does not publish at all (minor, since 2026-04-01)."""
    return period_for(severity, decided_on, rules).max_months > 0


def repair_possible_from(severity: str, decided_on: date, rules=None) -> date:
    """The first day credit repair may be granted: the decision date plus the minimum period."""
    return publicity_window(severity, decided_on, rules).repair_from
