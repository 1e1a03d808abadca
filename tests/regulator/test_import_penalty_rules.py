"""The import applies the form's publicity and repair rules, with the same messages, and a
repair is a fact an import may add but never erase."""
from datetime import date

import pytest
from sqlalchemy import select

from registry.access import SYSTEM
from registry.extensions import db as _db
from registry.models import Penalty
from registry.exchange import ExchangeError, export_jsonl, import_jsonl, import_records
from tests import factories as f
from tests.regulator.test_penalties import APPLICATION, publicly_visible, uscc_of

TODAY = date(2026, 11, 26)


def penalty_line(db, world, **fields) -> dict:
    # ordinary, decided 2026-05-10 under the rule since 2026-04-01: repair from 2026-08-10, public through 2027-05-10
    return f.penalty_record({"uscc": uscc_of(db, world.qd.unit)}, "青环罚〔2026〕60号", **{"decided_on": "2026-05-10", **fields})


@pytest.mark.parametrize("fields, field, message", [
    ({"publicity_ends_on": "2026-08-09"}, "publicity_ends_on", "公示截止日期应在2026-08-10至2027-05-10之间（含）"),
    ({"publicity_ends_on": "2027-05-11"}, "publicity_ends_on", "公示截止日期应在2026-08-10至2027-05-10之间（含）"),
    ({"repaired_on": "2026-08-09"}, "repaired_on", "最短公示期尚未届满，自2026-08-10起方可办理信用修复"),
    ({"repaired_on": "2026-11-27"}, "repaired_on", "信用修复日期不能晚于今天"),
])
def test_the_import_refuses_what_the_rules_refuse_naming_the_line(db, world, fields, field, message):
    with pytest.raises(ExchangeError) as refused:
        import_records(SYSTEM, [f.unit_record(), penalty_line(db, world, **fields)])
    assert (refused.value.line, refused.value.field, refused.value.message_zh) == (2, field, message)
    assert db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕60号")) is None


def test_the_edges_of_the_period_are_accepted_both_inclusive(db, world):
    import_records(SYSTEM, [penalty_line(db, world, publicity_ends_on="2026-08-10", repaired_on="2026-08-10")])
    import_records(SYSTEM, [penalty_line(db, world, publicity_ends_on="2027-05-10", repaired_on="2026-08-10")])
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕60号"))
    assert (penalty.publicity_ends_on, penalty.repaired_on) == (date(2027, 5, 10), date(2026, 8, 10))


def test_the_form_refuses_repair_with_the_same_words_as_the_import(as_qingdao, db, world):
    import_records(SYSTEM, [penalty_line(db, world, decided_on="2026-09-01")])  # repair from 2026-12-01
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕60号"))
    as_qingdao.post(f"/regulator/penalties/{penalty.id}/repair", data=APPLICATION)
    page = as_qingdao.post(f"/regulator/penalties/{penalty.id}/repair/grant", follow_redirects=True).get_data(as_text=True)
    assert "最短公示期尚未届满，自2026-12-01起方可办理信用修复" in page
    with pytest.raises(ExchangeError) as refused:
        import_records(SYSTEM, [penalty_line(db, world, decided_on="2026-09-01", repaired_on="2026-11-26")])
    assert refused.value.message_zh == "最短公示期尚未届满，自2026-12-01起方可办理信用修复"


def repair_in_the_form(client, penalty_id: int) -> None:
    client.post(f"/regulator/penalties/{penalty_id}/repair", data=APPLICATION)
    client.post(f"/regulator/penalties/{penalty_id}/repair/grant")
    _db.session.expire_all()


def test_a_line_that_omits_the_repair_keeps_it(as_qingdao, db, world):
    repair_in_the_form(as_qingdao, world.qd.penalty)  # 青岛环罚〔2026〕1号, decided 2026-01-10
    record = f.penalty_record({"uscc": uscc_of(db, world.qd.unit)}, "青岛环罚〔2026〕1号", authority="青岛市生态环境局",
                              authority_division_code="370200", decided_on="2026-01-10")
    import_records(SYSTEM, [record])
    import_records(SYSTEM, [{**record, "repaired_on": None}])
    _db.session.expire_all()
    assert db.session.get(Penalty, world.qd.penalty).repaired_on == TODAY
    assert not publicly_visible(world.qd.penalty, TODAY)


def test_a_line_that_contradicts_the_repair_is_refused_naming_the_line(as_qingdao, db, world):
    repair_in_the_form(as_qingdao, world.qd.penalty)
    record = f.penalty_record({"uscc": uscc_of(db, world.qd.unit)}, "青岛环罚〔2026〕1号", authority="青岛市生态环境局",
                              authority_division_code="370200", decided_on="2026-01-10", repaired_on="2026-06-01")
    with pytest.raises(ExchangeError) as refused:
        import_records(SYSTEM, [f.unit_record(), record])
    assert (refused.value.line, refused.value.field) == (2, "repaired_on")
    assert refused.value.message_zh == "该处罚已于2026-11-26信用修复，导入不能更改或撤销信用修复"
    _db.session.expire_all()
    assert db.session.get(Penalty, world.qd.penalty).repaired_on == TODAY


def test_reimporting_the_full_export_after_a_repair_leaves_the_penalty_out_of_public_view(as_qingdao, db, world):
    repair_in_the_form(as_qingdao, world.qd.penalty)
    exported = list(export_jsonl())
    stripped = [line.replace(f'"repaired_on": "{TODAY.isoformat()}"', '"repaired_on": null') for line in exported]
    import_jsonl(SYSTEM, exported)
    import_jsonl(SYSTEM, stripped)  # even an export from before the repair (no date) does not undo it
    _db.session.expire_all()
    assert db.session.get(Penalty, world.qd.penalty).repaired_on == TODAY
    assert not publicly_visible(world.qd.penalty, TODAY)
