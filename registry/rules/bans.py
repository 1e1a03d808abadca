"""Bans bind new work (DESIGN §3; Soil Law art. 90): a firm, or a person in a responsible role, may not record a
project that starts during its practice ban. The ban's term itself (how long, for whom) is `rules.ban_terms`."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from registry.rules.errors import RuleViolation


@dataclass(frozen=True)
class Ban:
    """A practice ban as the rule needs it: whom it binds, by which decision, from when, until when."""

    subject_zh: str  # 本单位, or the person's name
    subject_en: str
    decision_number: str
    decided_on: date
    until: date | None  # None: for life

    def covers(self, day: date) -> bool:
        """True when `day` falls within the ban: from the decision through its end date, or for life."""
        return self.decided_on <= day and (self.until is None or day <= self.until)


def check_no_active_ban(started_on: date | None, bans: Iterable[Ban]) -> None:
    """Refuse a project that starts during a ban of its firm or of a person in a responsible role, naming the
    decision and the end of the ban. A project without a start date cannot be placed in time and is not refused."""
    if started_on is None:
        return
    for ban in bans:
        if ban.covers(started_on):
            end_zh = "终身" if ban.until is None else f"至{ban.until.isoformat()}"
            end_en = "for life" if ban.until is None else f"until {ban.until.isoformat()}"
            raise RuleViolation(
                "started_on",
                f"{ban.subject_zh}在禁止从业期间（{ban.decision_number}，禁止从业{end_zh}），"
                f"不能登记在此期间开始的项目",
                f"{ban.subject_en} is banned from practice by {ban.decision_number} ({end_en}): a project "
                f"starting during the ban cannot be recorded",
            )
