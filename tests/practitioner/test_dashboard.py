"""The dashboard shows the firm what the public sees (rates, penalties, bans, findings) and what is missing."""
from sqlalchemy import select

from registry.extensions import db
from registry.models import Project
from tests.factories import complaint_record, create, penalty_record, review_record
from tests.practitioner.conftest import QINGDAO, WANG, add_staff, hire, sign
from tests.practitioner.test_projects import project_form


def record_two_projects(firm):
    firm.post("/practitioner/projects/new", data=project_form(name="S-1 风险评估"))  # 20 days late
    firm.post("/practitioner/projects/new", data=project_form(
        name="S-2 修复效果评估", category="remediation_effect_evaluation", contract_deadline="2025-12-31",
        completed_on="2025-11-01"))
    late, early = (db.session.scalar(select(Project).where(Project.name == name))
                   for name in ("S-1 风险评估", "S-2 修复效果评估"))
    return late, early


def test_rates_penalties_bans_and_findings_appear_as_the_public_sees_them(firm):
    sign(firm)
    late, early = record_two_projects(firm)
    create(
        review_record(late.ref, 1, passed=False, report_type="risk_assessment_report"),
        review_record(late.ref, 2, passed=True, report_type="risk_assessment_report"),
        review_record(early.ref, 1, passed=True),
        penalty_record({"uscc": QINGDAO}, decision_number="青环罚〔2026〕88号", kinds=["fine", "practice_ban"],
                       ban={"until": "2027-06-30"}),
        complaint_record(early.ref, status="substantiated", finding="业绩合同金额与实际不符"),
        complaint_record(late.ref, status="unsubstantiated", finding="经核查，举报内容不属实"),
    )
    page = firm.get("/practitioner/").get_data(as_text=True)
    assert "1/2 (50.0%)" in page  # first-pass: S-1 failed round 1, S-2 passed round 1
    # on-time: S-1 late; S-2, early by its own dates, was found false and leaves the rate (DESIGN §3)
    assert "0/1 (0.0%)" in page and page.count("1/2 (50.0%)") == 1
    assert "禁止从业期间" in page and "至2027-06-30" in page and "青环罚〔2026〕88号" in page
    assert "业绩合同金额与实际不符" in page
    assert "经核查，举报内容不属实" not in page and "举报人甲" not in page and "13900000000" not in page

    project_page = firm.get(f"/practitioner/projects/{early.ref}").get_data(as_text=True)
    assert "主管部门已核实关于本项目的虚假业绩举报属实" in project_page
    late_page = firm.get(f"/practitioner/projects/{late.ref}").get_data(as_text=True)
    assert "未通过" in late_page and "通过" in late_page


def test_before_signing_performance_is_not_counted_publicly_but_government_reviews_are(firm):
    late, early = record_two_projects(firm)
    create(review_record(early.ref, 1, passed=True))
    page = firm.get("/practitioner/").get_data(as_text=True)
    assert "1/1 (100.0%)" in page  # review outcomes are public government records
    assert "—" in page  # no on-time rate: the firm's own performance is not public yet
    assert "可被公众查询到" in page


def test_the_dashboard_lists_what_is_missing_and_nothing_when_complete(app, firm):
    page = firm.get("/practitioner/").get_data(as_text=True)
    assert "尚未签署承诺书" in page
    sign(firm)
    hire(firm, "王明", WANG)
    page = firm.get("/practitioner/").get_data(as_text=True)
    assert "尚未签署本人承诺书的人员" in page and "王明" in page and "440305********123X" in page
    assert "没有公开的行政处罚" in page


def test_a_complete_firm_is_told_nothing_is_missing(app, firm):
    from tests.practitioner.conftest import LIN, PASSWORD, person_by_name, shown_code
    from tests.practitioner.test_details import DETAILS

    sign(firm)
    firm.post("/practitioner/details", data=DETAILS)
    code = shown_code(add_staff(firm, "林海燕", LIN).get_data(as_text=True))
    lin = person_by_name("林海燕")
    person = app.test_client()  # the person confirms by redeeming the code: now on the firm's staff
    person.post("/practitioner/invitation", data={"code": code, "id_number": LIN, "username": "linhaiyan",
                                                  "password": PASSWORD, "confirm": PASSWORD})
    firm.post("/practitioner/projects/new", data=project_form([(lin.id, "responsible_manager")]))
    page = firm.get("/practitioner/").get_data(as_text=True)
    assert "没有待完善事项" not in page and "林海燕" in page

    sign(person, signer="林海燕", url="/practitioner/me/commitment")
    page = firm.get("/practitioner/").get_data(as_text=True)
    assert "没有待完善事项" in page
    assert "尚未填写的基本信息" not in page

    home = person.get("/practitioner/me").get_data(as_text=True)
    assert "青岛某电镀厂地块土壤污染风险评估" in home and "直接负责的主管人员" in home


def test_missing_basic_information_is_listed(firm):
    sign(firm)
    page = firm.get("/practitioner/").get_data(as_text=True)
    assert "尚未填写的基本信息" in page and "完善基本信息" in page
