"""The credit report's pure rules: its number, validity, purpose line, digest, and the exact list of what changed
in the public record since issue."""
import json
from datetime import date

import pytest
from hypothesis import given, strategies as st

from registry.rules.credit_reports import (
    ALPHABET, Change, canonical_json, changes_since, check_purpose, content_digest, is_valid, new_report_number,
    parse_report_number, valid_until,
)
from registry.rules.errors import RuleViolation


def test_a_report_number_is_random_grouped_for_reading_aloud_and_parses_to_itself():
    numbers = {new_report_number() for _ in range(2000)}
    assert len(numbers) == 2000  # 80 random bits: no repeat
    for number in list(numbers)[:200]:
        prefix, *groups = number.split("-")
        assert prefix == "XYBG" and [len(g) for g in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(ALPHABET) and not set("ILOU") & set("".join(groups))
        assert parse_report_number(number) == number


def test_a_number_typed_loosely_is_read_as_its_canonical_form():
    assert parse_report_number("xybg 7k3m q9pd 4hxa 2tzw") == "XYBG-7K3M-Q9PD-4HXA-2TZW"
    assert parse_report_number("ＸＹＢＧ－７Ｋ３Ｍ－Ｑ９ＰＤ－４ＨＸＡ－２ＴＺＷ") == "XYBG-7K3M-Q9PD-4HXA-2TZW"  # full width
    assert parse_report_number("XYBG-OOOO-IIII-LLLL-0000") == "XYBG-0000-1111-1111-0000"  # O is 0, I and L are 1


@pytest.mark.parametrize("text", ["", None, "XYBG", "XYBG-7K3M-Q9PD-4HXA", "XYBG-7K3M-Q9PD-4HXA-2TZWX",
                                  "ABCD-7K3M-Q9PD-4HXA-2TZW", "XYBG-7K3M-Q9PD-4HXA-2TZU", "XYBG-7K3M-Q9PD-4HXA-2TZ!",
                                  "X" * 81, "XYBG-7K3M-Q9PD-4HXA-2TZ\u200b"])
def test_what_cannot_be_a_number_is_not_one(text):
    assert parse_report_number(text) is None


@given(st.text(max_size=90))
def test_parsing_never_fails_and_what_it_accepts_is_canonical(text):
    parsed = parse_report_number(text)
    assert parsed is None or parse_report_number(parsed) == parsed


def test_a_report_is_valid_for_thirty_days_counting_its_as_of_day():
    until = valid_until(date(2026, 11, 26))
    assert until == date(2026, 12, 25)
    assert is_valid(until, date(2026, 11, 26)) and is_valid(until, date(2026, 12, 25))
    assert not is_valid(until, date(2026, 12, 26))
    assert valid_until(date(2028, 2, 1)) == date(2028, 3, 1)  # a leap February


def test_the_purpose_line_is_one_printable_line_of_at_most_100_characters():
    assert check_purpose("  ") is None and check_purpose(None) is None
    assert check_purpose(" 某某地块修复工程招标（第二标段） ") == "某某地块修复工程招标（第二标段）"
    assert check_purpose("用于：某某地块修复工程招标") == "某某地块修复工程招标"  # not printed as 用于：用于：
    assert check_purpose("字" * 100) == "字" * 100
    for bad, field_message in (("字" * 101, "100"), ("第一行\n第二行", "控制字符"), ("招标\u202e标招", "控制字符"),
                               ("招标\x07", "控制字符"), ("招\u200b标", "控制字符")):
        with pytest.raises(RuleViolation) as refused:
            check_purpose(bad)
        assert refused.value.field == "purpose" and field_message in refused.value.message_zh


def test_the_digest_is_of_one_canonical_text_whatever_the_key_order():
    one = {"name": "苏净", "projects": [{"ref": "A", "area_m2": "100"}], "bans": []}
    other = {"bans": [], "projects": [{"area_m2": "100", "ref": "A"}], "name": "苏净"}
    assert canonical_json(one) == canonical_json(other)
    assert "苏净" in canonical_json(one) and " " not in canonical_json(one)
    assert json.loads(canonical_json(one)) == one
    assert content_digest(canonical_json(one)) == content_digest(canonical_json(other))
    assert len(content_digest("x")) == 64
    assert content_digest(canonical_json({**one, "name": "苏浄"})) != content_digest(canonical_json(one))


ISSUED = {
    "name": "江苏苏净环保科技有限公司",
    "first_pass": {"part": 1, "total": 2, "period": ["2024-05-01", "2024-07-01"]},
    "on_time": {"part": 1, "total": 2, "period": None},
    "bans": [{"decision_number": "苏环罚〔2026〕1号", "until": "2026-12-31", "lifetime": False}],
    "penalties": [{"decision_number": "苏环罚〔2026〕1号", "ban_only": False, "decided_on": "2026-01-05",
                   "publicity_ends_on": "2026-12-01"}],
    "projects": [{"ref": "SU-1", "name": "苏州地块"}, {"ref": "SU-2", "name": "无锡地块"}],
    "reviews": [{"project_ref": "SU-1", "project_name": "苏州地块", "report_type": "r", "round": 1,
                 "reviewed_on": "2024-07-01"}],
    "findings": [],
}


def test_nothing_changed_is_an_empty_list():
    assert changes_since(ISSUED, json.loads(json.dumps(ISSUED))) == []


def test_each_kind_of_change_is_named_exactly():
    now = json.loads(json.dumps(ISSUED))
    now["penalties"] = [{**ISSUED["penalties"][0], "ban_only": True},  # its publicity ended, its ban lasts
                        {"decision_number": "苏环罚〔2026〕9号", "ban_only": False, "decided_on": "2026-11-20"}]
    now["bans"].append({"decision_number": "苏环罚〔2026〕9号", "until": None, "lifetime": True})
    now["findings"] = [{"project_ref": "SU-2", "project_name": "无锡地块", "verified_on": "2026-11-21"}]
    now["reviews"].append({"project_ref": "SU-2", "project_name": "无锡地块", "report_type": "r", "round": 1,
                           "reviewed_on": "2026-11-22"})
    now["projects"] = [{"ref": "SU-1", "name": "苏州地块"}, {"ref": "SU-3", "name": "南京地块"}]
    now["first_pass"] = {"part": 1, "total": 3, "period": ["2024-05-01", "2026-11-22"]}
    assert changes_since(ISSUED, now) == [
        Change("new_penalty", "苏环罚〔2026〕9号", "2026-11-20"),
        Change("publicity_ended", "苏环罚〔2026〕1号", "2026-12-01"),
        Change("new_ban", "苏环罚〔2026〕9号", "lifetime"),
        Change("new_finding", "无锡地块 (SU-2)", "2026-11-21"),
        Change("new_review", "无锡地块 (SU-2)", "2026-11-22"),
        Change("new_project", "南京地块 (SU-3)"),
        Change("project_withdrawn", "无锡地块 (SU-2)"),
        Change("rate_changed", "first_pass", "1/2 → 1/3"),
    ]


def test_an_ended_ban_and_a_subject_no_longer_listed_are_changes_too():
    now = {**ISSUED, "bans": [], "penalties": []}
    assert changes_since(ISSUED, now) == [Change("publicity_ended", "苏环罚〔2026〕1号", "2026-12-01"),
                                          Change("ban_ended", "苏环罚〔2026〕1号", "2026-12-31")]
    assert changes_since(ISSUED, None) == [Change("no_longer_listed", "江苏苏净环保科技有限公司")]


def test_a_report_listing_the_latest_few_of_many_names_the_change_of_their_number():
    issued = {**ISSUED, "project_count": 2000, "review_count": 3100}
    now = {**issued, "project_count": 2001, "review_count": 3102,
           "projects": [{"ref": "SU-9", "name": "新地块"}] + ISSUED["projects"][:1]}
    assert changes_since(issued, now) == [Change("reviews_counted", "", "3100 → 3102"),
                                          Change("projects_counted", "", "2000 → 2001")]
    assert changes_since(issued, {**issued}) == []
