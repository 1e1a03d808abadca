"""Firm, person and project pages, and the rules of what is public on them: commitment, non-disclosure,
publicity periods, credit repair, practice bans and complaint status."""
from tests.factories import create, penalty_record, unit_record
from tests.portal.conftest import (
    HUAXIA, JIAOHUA, JINGHUA, JINGTU, LI_ID, LVYUAN, SUJING, WANG_ID, YUEQING, ZHAO_ID,
)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def person_public_id(client, name: str) -> str:
    return next(item["public_id"] for item in client.get("/api/v1/persons?per_page=100").json["items"]
                if item["name"] == name)


def test_a_signed_firm_shows_its_five_categories_with_rates_and_periods(client, registry_data):
    text = page(client, f"/units/{SUJING}")
    for heading in ("一、基本情况信息", "二、业绩情况信息", "三、相关报告评审信息", "四、行政处罚情况信息", "五、虚假业绩举报核实情况"):
        assert heading in text
    assert "1/2 (50.0%)" in text and "2024-05-01至2024-07-01" in text  # first pass, over its review dates
    assert "测试市测试路" in text and "张三" in text  # address and legal representative: public
    assert "逾期10天" in text and "按期完成" in text and "进行中" in text
    assert "<svg" in text and "2024: 通过2份" in text and "2024: 未通过1份" in text  # the chart, all rounds
    assert "0532-80000000" not in text  # the firm's contact phone is never public


def test_an_active_ban_is_the_first_thing_a_profile_shows(client, registry_data):
    text = page(client, f"/units/{JIAOHUA}")
    main = text[text.index('<main'):]
    assert main.index("banner-ban") < main.index("<h1>")
    assert "禁止从业至2027-12-31" in main and "晋环罚〔2026〕5号" in main
    assert "山西省生态环境厅" in main and "2026-06-01" in main and "2029-06-01" in main  # authority, date, end (serious)
    assert "罚款：500,000.00元" in main and "出具虚假风险评估报告" in main


def test_a_ban_outlives_its_penalty_publicity_showing_only_the_ban_and_decision(client, registry_data):
    text = page(client, f"/units/{JINGHUA}")
    assert "终身禁止从业" in text and "京环罚〔2025〕1号" in text
    assert "该处罚公示期已满" in text
    assert "伪造修复效果评估报告" not in text  # the rest of the penalty is no longer public
    assert client.get(f"/api/v1/units/{JINGHUA}").json["has_penalty"] is False


def test_a_ban_ends_on_its_date(app, client, registry_data):
    app.config["TODAY"] = "2028-01-01"
    text = page(client, "/search?q=山西焦化")
    assert "<mark>山西焦化</mark>土壤修复有限公司" in text and "禁止从业至" not in text


def test_a_firm_without_a_commitment_shows_name_and_code_and_its_government_records_only(client, registry_data):
    text = page(client, f"/units/{HUAXIA}")
    assert "湖北华夏环境工程有限公司" in text and HUAXIA in text
    assert "未签署同意公开的承诺书" in text
    assert "武汉某化肥厂地块调查" not in text and "测试市测试路" not in text  # performance and address: not public
    assert "0/1 (0.0%)" in text and "（项目信息未公开）" in text  # the review outcome is a public government record
    assert client.get("/projects/HX-1").status_code == 404


def test_a_non_disclosed_firm_shows_only_its_public_penalty(client, registry_data):
    text = page(client, f"/units/{YUEQING}")
    assert "粤环罚〔2026〕7号" in text
    assert "粤清路8号" not in text and "广州某钢铁厂地块修复" not in text


def test_a_non_disclosed_project_is_nowhere_public(client, registry_data):
    assert "温州某皮革厂地块监测" not in page(client, f"/units/{LVYUAN}")
    assert client.get("/projects/LY-3").status_code == 404
    assert client.get("/api/v1/projects?q=温州").json["total"] == 0


def test_a_minor_penalty_is_not_published(client, registry_data):
    assert "浙环罚〔2026〕9号" not in page(client, f"/units/{LVYUAN}")
    assert client.get(f"/api/v1/units/{LVYUAN}").json["penalties"] == []


def test_a_repaired_penalty_leaves_the_public_view_from_the_repair_date(app, client, registry_data):
    assert client.get(f"/units/{JINGTU}").status_code == 404  # repaired on 2026-10-01: nothing public left
    app.config["TODAY"] = "2026-09-30"
    assert "沪环罚〔2026〕3号" in page(client, f"/units/{JINGTU}")


def test_a_penalty_is_public_from_its_decision_until_its_publicity_end(app, client, registry_data):
    create(penalty_record({"uscc": SUJING}, "苏环罚〔2026〕2号", decided_on="2026-11-20"))
    assert "苏环罚〔2026〕2号" in page(client, f"/units/{SUJING}")
    app.config["TODAY"] = "2026-11-19"
    assert "苏环罚〔2026〕2号" not in page(client, f"/units/{SUJING}")
    app.config["TODAY"] = "2027-11-20"  # ordinary: one year after the decision
    assert "苏环罚〔2026〕2号" in page(client, f"/units/{SUJING}")
    app.config["TODAY"] = "2027-11-21"
    assert "苏环罚〔2026〕2号" not in page(client, f"/units/{SUJING}")


def test_only_a_substantiated_complaint_is_public_and_it_flags_its_project(client, registry_data):
    text = page(client, f"/units/{LVYUAN}")
    assert "经核查，该项目监测业绩系虚构" in text and "经核实存在虚假业绩" in text
    assert "尚未核实的举报内容" not in text and "举报人甲" not in text and "13900000000" not in text
    assert "经核查，举报内容不属实" not in page(client, f"/units/{SUJING}")
    assert "经核实存在虚假业绩" in page(client, "/projects/LY-1")
    assert "经核实存在虚假业绩" not in page(client, "/projects/LY-2")
    flagged = {p["ref"]: p["verified_false_performance"] for p in client.get(f"/api/v1/units/{LVYUAN}").json["projects"]}
    assert flagged == {"LY-1": True, "LY-2": False}
    # the flagged project stays listed and its review stays counted
    assert "2/2 (100.0%)" in text


def test_a_firm_marked_non_disclosed_leaves_every_public_surface(client, registry_data):
    assert client.get("/api/v1/units?q=苏净").json["total"] == 1
    create(unit_record(SUJING, name="江苏苏净环保科技有限公司", division_code="320506",
                       categories=["remediation_construction", "investigation"],
                       non_disclosed={"reason": "依法不予公开"}))
    assert client.get(f"/units/{SUJING}").status_code == 404
    assert client.get("/api/v1/units?q=苏净").json["total"] == 0
    assert "苏州某农药厂地块修复工程" not in page(client, "/search?q=苏州某农药厂")


def test_a_person_profile_shows_the_masked_number_firm_roles_and_rate_never_the_birth_date(client, registry_data):
    text = page(client, f"/persons/{person_public_id(client, '王建国')}")
    assert "110105********" in text and WANG_ID not in text
    assert "19800101" not in text and "1980-01-01" not in text and "1980" not in text
    assert "江苏苏净环保科技有限公司" in text
    assert "直接负责的主管人员" in text and "其他直接责任人员" in text
    assert "1/2 (50.0%)" in text
    for word in ("出生", "年龄", "性别", "Birth", "Age", "Gender"):
        assert word not in text


def test_a_person_without_a_commitment_is_listed_only_for_a_public_penalty(client, registry_data):
    text = page(client, f"/persons/{person_public_id(client, '李四')}")
    assert "晋环罚〔2026〕6号" in text and "370202********" in text and LI_ID not in text
    assert "山西焦化土壤修复有限公司" not in text  # his firm is basic information he has not consented to show
    names = [item["name"] for item in client.get("/api/v1/persons?per_page=100").json["items"]]
    assert "赵六" not in names and ZHAO_ID not in str(names)


def test_a_project_page_shows_parcel_owner_dates_lateness_reviews_by_round_and_people(client, registry_data):
    text = page(client, "/projects/SU-2")
    assert "原无锡焦化厂地块" in text and "无锡城投集团" in text and "60,000" in text
    assert "C2521" in text and "炼焦" in text
    assert "2024-03-31" in text and "2024-04-10" in text and "逾期10天" in text
    assert text.index("2024-05-01") < text.index("2024-06-01")  # round 1, then round 2
    assert "未通过" in text and "王建国" in text and "110105********" in text
    assert "举报虚假业绩" in text and "保密提示" in text


def test_unknown_records_are_404_pages(client, registry_data):
    assert client.get("/units/911111111111111111").status_code == 404
    assert client.get("/persons/nope").status_code == 404
    assert client.get("/projects/NOPE").status_code == 404
    assert client.get("/units/x/../..").status_code == 404
