"""Review rounds (相关报告评审信息): round N+1 of a report follows round N, never before its date, and only
after round N failed, so the first-pass rate (round 1 only) can never be rewritten by a later round."""
from datetime import date

from registry.rules.errors import RuleViolation


def check_round(round_number: int, reviewed_on: date, previous: tuple[date, bool] | None) -> None:
    """Refuse a round that has no round before it, is dated before it, or follows a round that passed;
    `previous` is the (reviewed_on, passed) of round N-1, or None when there is none."""
    if round_number < 1:
        raise RuleViolation("round", "评审轮次从1开始", "review rounds start at 1")
    if round_number > 1 and previous is None:
        raise RuleViolation("round", f"请先登记第{round_number - 1}轮评审结果", f"record round {round_number - 1} first")
    if previous is None:
        return
    previous_on, previous_passed = previous
    if reviewed_on < previous_on:
        raise RuleViolation("reviewed_on", "评审日期不能早于上一轮评审日期",
                            "the review date cannot be before the previous round's")
    if previous_passed:
        raise RuleViolation("round", "上一轮评审已经通过，无需再次评审",
                            "the previous round passed; the report needs no further round")
