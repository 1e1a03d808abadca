"""On the regulator's form, a new decision needs every double-publicity field (the
exchange format keeps them optional); the form prefills what the authority's records give; the regulator sees
which kind or severity set the publicity period, before recording (the preview) and after (the penalty page)."""
from sqlalchemy import func, select

from registry.access import SYSTEM
from registry.models import Penalty
from registry.exchange import import_records
from tests import factories as f
from tests.regulator.test_penalties import AUTHORITY_USCC, firm_penalty, uscc_of


def count_penalties(db) -> int:
    return db.session.scalar(select(func.count(Penalty.id)))


def test_the_form_refuses_a_decision_without_the_double_publicity_fields_naming_each(as_qingdao, db, world):
    before = count_penalties(db)
    data = firm_penalty(uscc_of(db, world.qd.unit), violation_type="", content="", authority_uscc="", data_source="")
    response = as_qingdao.post("/regulator/penalties/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for name in ("违法行为类型", "处罚内容", "处罚机关统一社会信用代码", "数据来源"):
        assert f"“双公示”要求填写{name}" in page
    assert count_penalties(db) == before


def test_a_confiscation_and_a_licence_action_are_required_where_the_kinds_name_them(as_qingdao, db, world):
    before = count_penalties(db)
    data = firm_penalty(uscc_of(db, world.qd.unit), kinds=["confiscation_of_illegal_gains", "licence_suspension"])
    page = as_qingdao.post("/regulator/penalties/new", data=data).get_data(as_text=True)
    assert "处罚类别含没收时，“双公示”要求填写没收金额" in page
    assert "“双公示”要求填写暂扣或者吊销许可证件、降低资质等级的情况" in page
    assert count_penalties(db) == before
    complete = {**data, "confiscated_yuan": "35000.50", "licence_action": "暂扣资质证书六个月"}
    assert as_qingdao.post("/regulator/penalties/new", data=complete).status_code == 302
    assert count_penalties(db) == before + 1


def test_the_form_prefills_the_data_source_and_the_authoritys_known_credit_code(as_qingdao, db, world):
    blank = as_qingdao.get("/regulator/penalties/new").get_data(as_text=True)
    assert 'name="data_source" type="text" value="青岛市生态环境局"' in blank
    assert AUTHORITY_USCC not in blank  # nothing recorded yet: the code is not known
    assert as_qingdao.post("/regulator/penalties/new", data=firm_penalty(uscc_of(db, world.qd.unit))).status_code == 302
    assert f'value="{AUTHORITY_USCC}"' in as_qingdao.get("/regulator/penalties/new").get_data(as_text=True)


def test_the_import_keeps_the_double_publicity_fields_optional(db, world):
    import_records(SYSTEM, [f.penalty_record({"uscc": uscc_of(db, world.qd.unit)}, "青环罚〔2026〕60号")])
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕60号"))
    assert penalty is not None and penalty.violation_type is None and penalty.data_source is None


def test_the_preview_shows_that_a_practice_ban_sets_the_serious_period(as_qingdao, db, world):
    data = firm_penalty(uscc_of(db, world.qd.unit), severity="ordinary", kinds=["fine", "practice_ban"],
                        decided_on="2026-11-20", action="preview")
    page = as_qingdao.post("/regulator/penalties/new", data=data).get_data(as_text=True)
    assert "公示截止日期为2029-11-20；自2027-11-20起可申请信用修复。" in page  # serious: 1–3 years, not 3–12 months
    assert "公示期限依据：处罚类别“禁止从业”，对应失信程度“严重”（按最长的公示期限执行）" in page
    plain = as_qingdao.post("/regulator/penalties/new", data={**data, "kinds": ["fine"]}).get_data(as_text=True)
    assert "公示截止日期为2027-11-20" in plain and "公示期限依据：失信程度“一般”" in plain


def test_the_penalty_page_names_what_set_the_period(as_qingdao, db, world):
    response = as_qingdao.post("/regulator/penalties/new", data=firm_penalty(uscc_of(db, world.qd.unit)))
    page = as_qingdao.get(response.headers["Location"]).get_data(as_text=True)
    assert "公示期限依据" in page and "失信程度“一般”" in page


def test_the_preview_shows_the_firm_and_legal_representative_the_decision_will_carry(as_qingdao, db, world):
    from registry.models import Unit

    unit = db.session.get(Unit, world.qd.unit)
    data = firm_penalty(unit.uscc, action="preview")
    page = as_qingdao.post("/regulator/penalties/new", data=data).get_data(as_text=True)
    assert f"处罚决定将载明当事人今日的登记信息：{unit.name} · 法定代表人 {unit.legal_representative}" in page
    unknown = as_qingdao.post("/regulator/penalties/new", data={**data, "subject_uscc": "not-a-code"}).get_data(as_text=True)
    assert "处罚决定将载明当事人今日的登记信息" not in unknown
