"""First-pass review rate and on-time rate, exactly as DESIGN §3 defines them."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Rate:
    """`part` out of `total`; `rate` is None when total is 0, so no one reads 0/0 as 0%."""

    part: int
    total: int

    @property
    def rate(self) -> float | None:
        return None if self.total == 0 else float(Fraction(self.part, self.total))

    def percent(self) -> str:
        """`1/8 (12.5%)`, or `—` when there is nothing to count: one decimal, rounded half up as Chinese
        statistical practice does (Python's round() is half to even, and showed 1/8 as 12%)."""
        if self.total == 0:
            return "—"
        share = (Decimal(100 * self.part) / Decimal(self.total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{self.part}/{self.total} ({share}%)"


@dataclass(frozen=True)
class ReviewOutcome:
    project_key: object
    report_type: str
    round: int
    passed: bool


def first_pass_rate(outcomes: Iterable[ReviewOutcome]) -> Rate:
    """Reports (one report type of one project) whose first round passed, out of those with a first round.

    Later rounds never change it: a report that failed round 1 and passed round 2 counts as not passed.
    """
    first_rounds: dict[tuple, bool] = {}
    for outcome in outcomes:
        if outcome.round == 1:
            first_rounds[(outcome.project_key, outcome.report_type)] = outcome.passed
    return Rate(sum(first_rounds.values()), len(first_rounds))


def on_time_rate(projects: Iterable[tuple[date | None, date | None]]) -> Rate:
    """Among completed projects with a contract deadline, those completed on or before it.

    Each item is `(contract_deadline, completed_on)`.
    """
    counted = [(deadline, done) for deadline, done in projects if deadline is not None and done is not None]
    return Rate(sum(done <= deadline for deadline, done in counted), len(counted))


def counts_toward_on_time(found_false_on: date | None, today: date) -> bool:
    """A project leaves the on-time rate from the day a false-performance finding about it was made (DESIGN §3):
    its self-reported dates are no longer believed. Its reviews stay counted as the authorities recorded them."""
    return found_false_on is None or found_false_on > today


def days_late(contract_deadline: date | None, completed_on: date | None) -> int | None:
    """Days past the deadline (negative: early), or None when either date is missing."""
    if contract_deadline is None or completed_on is None:
        return None
    return (completed_on - contract_deadline).days
