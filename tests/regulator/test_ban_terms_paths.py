"""The form and the import refuse the same bans with the same message naming Soil Law art. 90, and the form
proposes a person's ten-year term."""
import pytest
from sqlalchemy import select

from registry.access import SYSTEM
from registry.models import Penalty
from registry.exchange import ExchangeError, import_records
from tests import factories as f
from tests.regulator.conftest import QD_ID
from tests.regulator.test_penalties import firm_penalty, uscc_of

CASES = [  # (form fields, exchange fields, field, message)
    ({"severity": "ordinary", "ban": "until", "ban_until": "2030-01-01"}, {"severity": "ordinary", "ban": {"until": "2030-01-01"}},
     "severity", "《土壤污染防治法》第九十条：禁止从业只适用于情节严重的处罚，失信程度应为“严重”"),
    ({"ban": "until", "ban_until": "2036-11-21"}, {"ban": {"until": "2036-11-21"}},
     "ban_until", "《土壤污染防治法》第九十条：个人禁止从业期限最长十年，截止日期不能晚于2036-11-20"),
]


@pytest.mark.parametrize("form, line, field, message", CASES)
def test_the_form_and_the_import_refuse_the_same_ban_in_the_same_words(as_qingdao, db, world, form, line, field,
                                                                       message):
    data = firm_penalty("", **{"subject_kind": "person", "subject_id_number": QD_ID, "severity": "serious",
                               "kinds": ["fine", "practice_ban"], "decision_number": "青环罚〔2026〕70号", **form})
    page = as_qingdao.post("/regulator/penalties/new", data=data).get_data(as_text=True)
    assert f'id="{field}-errors"' in page and message in page
    record = f.penalty_record({"id_number": QD_ID}, "青环罚〔2026〕70号", **{"decided_on": "2026-11-20",
                              "kinds": ["fine", "practice_ban"], "severity": "serious", **line})
    with pytest.raises(ExchangeError) as refused:
        import_records(SYSTEM, [record])
    assert (refused.value.line, refused.value.message_zh) == (1, message)
    assert db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕70号")) is None


def test_a_lifetime_ban_of_a_person_needs_the_crime_confirmed_in_the_form(as_qingdao, db, world):
    data = firm_penalty("", subject_kind="person", subject_id_number=QD_ID, severity="serious",
                        kinds=["fine", "practice_ban"], ban="lifetime", decision_number="青环罚〔2026〕71号")
    page = as_qingdao.post("/regulator/penalties/new", data=data).get_data(as_text=True)
    assert 'id="crime_found-errors"' in page and "终身禁止从业仅适用于构成犯罪的情形" in page


def test_the_form_proposes_exactly_ten_years_for_a_person(as_qingdao, world):
    data = firm_penalty("", subject_kind="person", subject_id_number=QD_ID, severity="serious",
                        kinds=["fine", "practice_ban"], ban="until", decided_on="2026-02-28", action="preview")
    page = as_qingdao.post("/regulator/penalties/new", data=data).get_data(as_text=True)
    assert 'value="2036-02-28"' in page


def test_a_firms_ban_names_the_business_and_the_import_reads_a_ban_without_severity_as_serious(as_qingdao, db, world):
    data = firm_penalty(uscc_of(db, world.qd.unit), severity="serious", kinds=["fine", "practice_ban"], ban="lifetime",
                        ban_categories=["remediation_construction"], decision_number="青环罚〔2026〕72号")
    assert as_qingdao.post("/regulator/penalties/new", data=data).status_code == 302
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕72号"))
    assert penalty.ban_categories == ["remediation_construction"] and penalty.ban_lifetime
    record = {k: v for k, v in f.penalty_record({"uscc": uscc_of(db, world.qd.unit)}, "青环罚〔2026〕73号",
                                                ban={"until": "2040-01-01", "categories": ["monitoring"]}).items()
              if k != "severity"}
    import_records(SYSTEM, [record])
    imported = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕73号"))
    assert (imported.severity, imported.ban_categories) == ("serious", ["monitoring"])
