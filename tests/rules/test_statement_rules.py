"""The subject's voice, as pure rules: a statement of at most 500 characters with no invisible or control
characters, the grounds of a correction request, and a regulator's reason for refusing one."""
import unicodedata

import pytest
from hypothesis import given, strategies as st

from registry.rules.errors import RuleViolation
from registry.rules.statements import (FULL_ID_NUMBER, GROUNDS_MAX, GROUNDS_MIN, STATEMENT_MAX, check_grounds, check_refusal_reason,
                                       check_statement)

PRINTABLE = st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))


def test_a_statement_is_kept_as_written_within_500_characters_and_refused_beyond():
    assert check_statement("  该处罚已于2026年11月履行完毕，\r\n罚款已缴清。 ") == "该处罚已于2026年11月履行完毕，\n罚款已缴清。"
    assert check_statement("说" * STATEMENT_MAX) == "说" * STATEMENT_MAX
    with pytest.raises(RuleViolation) as refused:
        check_statement("说" * (STATEMENT_MAX + 1))
    assert refused.value.field == "text" and "501" in refused.value.message_zh and "at most 500" in refused.value.message_en
    for empty in ("", "   ", "\n\t", None):
        with pytest.raises(RuleViolation, match="write the statement"):
            check_statement(empty)


def test_full_width_punctuation_is_not_rewritten_but_invisible_and_control_characters_are_refused():
    assert check_statement("说明：（一）已整改；（二）已缴款。") == "说明：（一）已整改；（二）已缴款。"
    for hidden in ("已整改\u202e款缴", "已\u200b整改", "已整改\x00", "已整改\x1b[31m", "已\x85整改"):
        with pytest.raises(RuleViolation):
            check_statement(hidden)


def test_a_full_id_number_is_refused_in_a_statement_and_in_grounds_even_typed_full_width():
    for number in ("370202198403120458", "37020219840312045X", "３７０２０２１９８４０３１２０４５８"):
        for check in (check_statement, lambda text: check_grounds("申请更正的理由：" + text)):
            with pytest.raises(RuleViolation, match="full ID number"):
                check(f"工程师身份证号{number}已离职")
    assert check_statement("合同编号20240312000000000001号") == "合同编号20240312000000000001号"  # 20 digits: no ID


@given(st.text(PRINTABLE, min_size=1, max_size=700))
def test_any_printable_text_is_accepted_exactly_when_it_fits(text):
    stripped = text.strip()
    if FULL_ID_NUMBER.search(unicodedata.normalize("NFKC", stripped)) or not stripped or len(stripped) > STATEMENT_MAX:
        with pytest.raises(RuleViolation):
            check_statement(text)
    else:
        assert check_statement(text) == stripped


def test_grounds_need_10_to_2000_characters_and_a_refusal_needs_a_reason():
    assert check_grounds("处罚决定书载明的罚款金额为5万元，而非10万元").startswith("处罚决定书")
    for wrong in ("太短了", "x" * (GROUNDS_MAX + 1), "a" * (GROUNDS_MIN - 1)):
        with pytest.raises(RuleViolation) as refused:
            check_grounds(wrong)
        assert refused.value.field == "grounds"
    assert check_refusal_reason(" 决定书原件载明金额为10万元 ") == "决定书原件载明金额为10万元"
    for wrong in ("", "  ", None, "x" * 1001):
        with pytest.raises(RuleViolation) as refused:
            check_refusal_reason(wrong)
        assert refused.value.field == "note"
