"""ID numbers and credit codes: check characters, impossible dates, masking (hand cases and properties)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from registry.rules.errors import RuleViolation
from registry.rules.identifiers import (looks_like_full_id_number, mask_id_number, validate_id_number,
                                        validate_uscc)


def valid_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_valid_numbers_pass_and_are_normalized():
    assert validate_id_number("370202198403120458") == "370202198403120458"
    assert validate_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize("number, reason", [
    ("370202198403120459", "check character"),
    (valid_id("11010519490230002"), "birth date"),  # 30 February, with a correct check character
    ("110105194912310", "18 characters"),
    (valid_id("99010519491231002"), "region code"),
    ("11010519491231002Y", "malformed"),
])
def test_bad_numbers_are_refused_without_echoing_them(number, reason):
    with pytest.raises(RuleViolation) as refused:
        validate_id_number(number)
    assert refused.value.field == "id_number"
    assert number not in refused.value.message_en and number not in refused.value.message_zh
    assert reason in refused.value.message_en


def test_masking_keeps_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("370202198403120458") == "370202********0458"


@given(st.dates(min_value=__import__("datetime").date(1930, 1, 1), max_value=__import__("datetime").date(2008, 12, 31)),
       st.integers(min_value=0, max_value=999))
def test_masking_property_hides_exactly_the_birth_date_and_sequence(birth, sequence):
    number = valid_id(f"370202{birth:%Y%m%d}{sequence:03d}")
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masked[6:14] == "********"
    assert f"{birth:%Y%m%d}" not in masked


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_anything_that_passes_validation_masks_cleanly(text):
    try:
        number = validate_id_number(text)
    except RuleViolation:
        return
    assert mask_id_number(number).count("*") == 8


def test_full_number_detection_for_public_search():
    assert looks_like_full_id_number("370202198403120458")
    assert looks_like_full_id_number("11010519491231002x")
    assert not looks_like_full_id_number("370202********0458")
    assert not looks_like_full_id_number("苏净")


def test_credit_codes():
    assert validate_uscc("9137020035791357M0") == "9137020035791357M0"
    assert validate_uscc("9134010024681357nb") == "9134010024681357NB"
    for bad in ("9137020035791357M1", "91370200", "9137020035791357I0"):
        with pytest.raises(RuleViolation):
            validate_uscc(bad)
