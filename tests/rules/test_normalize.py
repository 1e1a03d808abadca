"""Normalization and invisible characters: one rule each, and the import refuses
with the same message as the form's service."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.access import SYSTEM
from registry.rules.divisions import suggested_division, validate_county_code, validate_division_code
from registry.rules.errors import Checks, RuleViolation, RuleViolations, each_violation
from registry.rules.identifiers import validate_id_number, validate_uscc
from registry.rules.normalize import INVISIBLE, normalize_code, normalize_number, normalize_text
from registry.exchange import ExchangeError, import_records
from tests.factories import project_record, unit_record


@pytest.mark.parametrize(("typed", "number"), [
    ("45,000", "45000"), ("４５，０００", "45000"), (" 45000 ", "45000"), ("1,234,567.89", "1234567.89"),
    ("４５０００．５", "45000.5"), ("45,00", "45,00"), ("1,2,3", "1,2,3"),
])
def test_numbers_as_people_write_them(typed, number):
    assert normalize_number(typed, "area_m2") == number


def test_codes_in_full_width_with_spaces_validate():
    assert validate_uscc(" ９１３７０２００３５７９１３５７Ｍ０ ") == "9137020035791357M0"
    assert validate_id_number("３７０２０２ １９８４０３１２ ０４５ｘ".replace("ｘ", "８")) == "370202198403120458"
    assert validate_county_code("３７０２０２") == "370202"


@given(st.text(max_size=20), st.sampled_from(sorted(INVISIBLE)), st.text(max_size=20))
def test_every_invisible_character_is_refused_in_names_and_codes(before, invisible, after):
    for normalize in (normalize_text, normalize_code):
        with pytest.raises(RuleViolation) as refused:
            normalize(before + invisible + after, "name")
        assert refused.value.field == "name" and "不可见" in refused.value.message_zh


def test_text_is_nfkc_and_stripped():
    assert normalize_text("  ＡＢＣ（环境）有限公司 ", "name") == "ABC(环境)有限公司"


def test_county_level_divisions_only_for_a_location():
    assert validate_county_code("441900") == "441900"  # 东莞市: a city without counties is county-level
    assert validate_county_code("429004") == "429004"  # 仙桃市, directly under the province
    for code in ("320000", "329999", "320500", "320501", "110100"):
        with pytest.raises(RuleViolation):
            validate_county_code(code)
    assert validate_county_code("320500", city_allowed=True) == "320500"
    assert validate_division_code("320000") == "320000"  # a province's regulator has a jurisdiction code
    with pytest.raises(RuleViolation):
        validate_division_code("329999")
    with pytest.raises(RuleViolation):
        validate_county_code("320103")  # 白下区, merged into 秦淮区 in 2013: no longer exists


def test_suggested_division_from_characters_3_to_8():
    assert suggested_division("91370202MA3C4DKX1Y") == "370202"
    assert suggested_division("913205001KM2U9AL7Q") == "320500"
    assert suggested_division("91329999MA3C4DKX1Y") is None
    assert suggested_division(None) is None


def test_checks_collect_every_refusal():
    checks = Checks()
    assert checks.run(validate_county_code, "370202") == "370202"
    assert checks.run(validate_county_code, "320000") is None
    checks.run(normalize_text, "a\u202eb", "name")
    with pytest.raises(RuleViolations) as refused:
        checks.done()
    assert [v.field for v in each_violation(refused.value)] == ["division_code", "name"]
    assert refused.value.field == "division_code"  # as a single RuleViolation it is the first


def test_the_import_refuses_with_the_rules_message(db):
    unit = unit_record()
    cases = [([unit, project_record(unit["uscc"], division_code="320000")], lambda: validate_county_code("320000")),
             ([unit_record(name="苏州\u200b环境")], lambda: normalize_text("苏州\u200b环境", "name"))]
    for records, rule in cases:
        with pytest.raises(ExchangeError) as imported:
            import_records(SYSTEM, records)
        with pytest.raises(RuleViolation) as direct:
            rule()
        assert (imported.value.message_zh, imported.value.message_en) == (direct.value.message_zh,
                                                                          direct.value.message_en)


def test_the_demo_firms_and_parcels_lie_in_divisions_that_exist_today(db):
    """`make run` imports the demo through the same rules: each of its cities and districts must exist in cn/loc
    (500112, 渝北区, left it in 2025)."""
    from registry.services.demo import CITIES, REGULATOR_AREAS, generate_records

    for _city, _name, districts in CITIES:
        assert all(validate_county_code(district) == district for district in districts)
    for *_authority, district in REGULATOR_AREAS:  # the firm in each demo regulator's area
        assert validate_county_code(district) == district
    report = import_records(SYSTEM, list(generate_records(len(CITIES) * 3, projects_per_firm=(1, 2))))
    assert report.created["unit"] == len(CITIES) * 3
