"""Bans bind new work: the pure rule, day by day around a ban's start and end."""
from datetime import date

import pytest

from registry.rules.bans import Ban, check_no_active_ban
from registry.rules.errors import RuleViolation

FIRM_BAN = Ban("本单位", "your firm", "青环罚〔2026〕88号", date(2026, 6, 1), date(2027, 6, 30))
LIFETIME = Ban("林海燕", "林海燕", "鲁环罚〔2025〕3号", date(2025, 3, 1), None)


@pytest.mark.parametrize(("started_on", "refused"), [
    (date(2026, 5, 31), False), (date(2026, 6, 1), True), (date(2027, 6, 30), True), (date(2027, 7, 1), False),
    (None, False),
])
def test_a_fixed_term_ban_binds_from_its_decision_through_its_end(started_on, refused):
    if refused:
        with pytest.raises(RuleViolation) as refusal:
            check_no_active_ban(started_on, [FIRM_BAN])
        assert refusal.value.field == "started_on"
        assert "青环罚〔2026〕88号" in refusal.value.message_zh and "至2027-06-30" in refusal.value.message_zh
        assert "until 2027-06-30" in refusal.value.message_en
    else:
        check_no_active_ban(started_on, [FIRM_BAN])


def test_a_lifetime_ban_binds_every_later_start_and_names_the_person():
    check_no_active_ban(date(2025, 2, 28), [LIFETIME])
    with pytest.raises(RuleViolation) as refusal:
        check_no_active_ban(date(2060, 1, 1), [FIRM_BAN, LIFETIME])
    assert refusal.value.message_zh.startswith("林海燕在禁止从业期间（鲁环罚〔2025〕3号，禁止从业终身）")
