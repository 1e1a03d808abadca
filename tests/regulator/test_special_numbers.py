"""Special numeric strings in every numeric parameter: refused with a message, never a
500; an amount is stored only when finite, non-negative and fitting its column, by the form, the service and
the import alike; and the API emits only strict JSON."""
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.access import SYSTEM
from registry.models import Penalty
from registry.rules.errors import RuleViolation
from registry.exchange import ExchangeError, import_jsonl
from registry.services.penalties import PenaltyInput, record_penalty
from tests import factories as f
from tests.regulator.conftest import actor_for
from tests.regulator.test_penalties import firm_penalty, uscc_of

SPECIAL = ["NaN", "sNaN", "-sNaN", "Infinity", "-Infinity", "1e30", "1e-400", "9e999999", "-1", "9" * 400]


@pytest.mark.parametrize("value", SPECIAL)
def test_public_numeric_filters_refuse_special_numbers_with_a_message(client, world, value):
    for url, field in ((f"/search?min_area={value}", "min_area"), (f"/search?max_area={value}", "max_area"),
                       (f"/similar?min_area={value}", "min_area"), (f"/search?min_first_pass={value}", "min_first_pass")):
        response = client.get(url)
        assert response.status_code in (200, 400), url
        assert f'id="{field}-errors"' in response.get_data(as_text=True), url
    assert client.get(f"/api/v1/units?min_area={value}").status_code == 400


@pytest.mark.parametrize("value, message", [
    ("NaN", "请填写有限的数值"), ("sNaN", "请填写有限的数值"), ("-sNaN", "请填写有限的数值"),
    ("Infinity", "请填写有限的数值"), ("-Infinity", "请填写有限的数值"),
    ("1e30", "数值不能超过999999999999.99"), ("9e999999", "数值不能超过999999999999.99"),
    ("9" * 400, "数值不能超过999999999999.99"), ("1000000000000", "数值不能超过999999999999.99"),
    ("1e-400", "最多保留两位小数"), ("0.001", "最多保留两位小数"), ("-5", "数值不能为负数"),
])
def test_the_penalty_form_refuses_impossible_amounts_and_saves_nothing(as_qingdao, db, world, value, message):
    for field in ("fine_yuan", "confiscated_yuan"):
        data = firm_penalty(uscc_of(db, world.qd.unit), decision_number="青环罚〔2026〕77号", **{field: value})
        response = as_qingdao.post("/regulator/penalties/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert f'id="{field}-errors"' in page and message in page
        assert db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕77号")) is None


def test_the_largest_amount_the_column_holds_is_stored_exactly(as_qingdao, db, world):
    data = firm_penalty(uscc_of(db, world.qd.unit), decision_number="青环罚〔2026〕78号", fine_yuan="999999999999.99",
                        confiscated_yuan="-0")
    assert as_qingdao.post("/regulator/penalties/new", data=data).status_code == 302
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕78号"))
    assert penalty.fine_yuan == Decimal("999999999999.99") and penalty.confiscated_yuan == 0


def test_the_service_applies_the_same_rule_as_the_form(db, world):
    data = PenaltyInput(subject_kind="unit", subject_uscc=uscc_of(db, world.qd.unit), decision_number="青环罚〔2026〕79号",
                        decided_on=date(2026, 11, 2), kinds=["fine"], fine_yuan=Decimal("Infinity"), **f.DOUBLE_PUBLICITY)
    with pytest.raises(RuleViolation) as refused:
        record_penalty(actor_for(db, world, "qingdao"), data)
    assert refused.value.field == "fine_yuan" and refused.value.message_zh == "请填写有限的数值"


@pytest.mark.parametrize("value, message", [("1e30", "数值不能超过999999999999.99"), ("0.001", "最多保留两位小数")])
def test_the_import_refuses_the_same_amounts_naming_the_line(db, world, value, message):
    record = f.penalty_record({"uscc": uscc_of(db, world.qd.unit)}, "青环罚〔2026〕80号", decided_on="2026-11-02",
                              kinds=["fine"], fine_yuan="AMOUNT")
    line = json.dumps(record, ensure_ascii=False).replace('"AMOUNT"', value)
    with pytest.raises(ExchangeError) as refused:
        import_jsonl(SYSTEM, [line])
    assert (refused.value.line, refused.value.field) == (1, "fine_yuan")
    assert refused.value.message_zh == message
    assert db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕80号")) is None


@pytest.mark.parametrize("value", ["9" * 400, "1e30", "NaN", "0", "100"])
def test_the_review_round_refuses_special_numbers(as_qingdao, world, value):
    response = as_qingdao.post(f"/regulator/projects/{world.qd.project}/reviews",
                               data={"round": value, "report_type": "risk_assessment_report",
                                     "reviewed_on": "2026-11-01", "passed": "yes"})
    assert response.status_code == 400
    assert 'id="round-errors"' in response.get_data(as_text=True)


def _strict(text: str):
    """json.loads that refuses NaN and Infinity, which Python's json accepts but JSON does not."""
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def test_the_api_answers_with_strict_json_for_the_largest_amounts(as_qingdao, client, db, world):
    uscc = uscc_of(db, world.qd.unit)
    as_qingdao.post("/regulator/penalties/new", data=firm_penalty(uscc, decision_number="青环罚〔2026〕81号",
                                                                  fine_yuan="999999999999.99"))
    answer = _strict(client.get(f"/api/v1/units/{uscc}").get_data(as_text=True))
    fines = [p["fine_yuan"] for p in answer["penalties"]]
    assert 999999999999.99 in fines
    for url in ("/api/v1/units", "/api/v1/persons", "/api/v1/openapi.json"):
        _strict(client.get(url).get_data(as_text=True))


def test_a_400_digit_page_number_is_the_last_page_not_a_server_error(as_qingdao, world):
    for url in ("/regulator/complaints", "/regulator/penalties", "/regulator/projects", "/regulator/units"):
        assert as_qingdao.get(url, query_string={"page": "9" * 400}).status_code == 200, url
