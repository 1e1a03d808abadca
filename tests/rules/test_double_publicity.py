"""The fields the double-publicity template requires of a new decision (measures.md,
"Administrative penalty record fields"), asked all at once, each named."""
from decimal import Decimal

import pytest

from registry.rules.double_publicity import check_double_publicity_fields
from registry.rules.errors import RuleViolation, each_violation
from tests.factories import DOUBLE_PUBLICITY


def fields_refused(fields, kinds=("fine",), confiscated=None) -> list[str]:
    with pytest.raises(RuleViolation) as refused:
        check_double_publicity_fields(fields, kinds, confiscated)
    return [violation.field for violation in each_violation(refused.value)]


def test_a_complete_record_passes():
    check_double_publicity_fields(DOUBLE_PUBLICITY, ["fine"], None)


def test_every_missing_field_is_named_at_once():
    assert fields_refused({}) == ["violation_type", "violation", "basis", "content", "authority_uscc", "data_source"]
    assert fields_refused({**DOUBLE_PUBLICITY, "content": "   "}) == ["content"]


def test_a_confiscation_needs_its_amount_and_a_licence_kind_its_action():
    assert fields_refused(DOUBLE_PUBLICITY, ["confiscation_of_illegal_gains"]) == ["confiscated_yuan"]
    check_double_publicity_fields(DOUBLE_PUBLICITY, ["confiscation_of_illegal_gains"], Decimal("35000.50"))
    assert fields_refused(DOUBLE_PUBLICITY, ["fine", "licence_revocation"]) == ["licence_action"]
    check_double_publicity_fields({**DOUBLE_PUBLICITY, "licence_action": "吊销资质证书"}, ["licence_revocation"], None)


def test_the_message_names_the_field_in_both_languages():
    with pytest.raises(RuleViolation) as refused:
        check_double_publicity_fields({**DOUBLE_PUBLICITY, "data_source": ""}, ["fine"], None)
    assert (refused.value.message_zh, refused.value.message_en) == ("“双公示”要求填写数据来源",
                                                                   "the double-publicity record requires the data source")
