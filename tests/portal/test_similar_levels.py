"""The similar-parcel search by GB/T 4754 group and class (levels 3 and 4, as projects record them: C2521) and by
the service the landowner needs (the project's category); the comparison carries both."""
from tests.portal.conftest import JIAOHUA, LVYUAN, SUJING

SUJING_NAME, JIAOHUA_NAME, LVYUAN_NAME = "江苏苏净环保科技有限公司", "山西焦化土壤修复有限公司", "浙江绿源环境检测有限公司"


def similar(client, query: str) -> str:
    response = client.get(f"/similar?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_class_or_a_group_finds_the_projects_recorded_with_it(client, registry_data):
    for code in ("C2521", "C252", "C25"):
        page = similar(client, f"industry={code}")
        assert SUJING_NAME in page and JIAOHUA_NAME in page and LVYUAN_NAME not in page, code
    page = similar(client, "industry=C2522")  # another class of the same group: no project recorded with it
    assert SUJING_NAME not in page and "没有符合条件的公开项目" in page


def test_once_a_division_is_chosen_its_groups_and_classes_are_offered(client, registry_data):
    page = similar(client, "")
    assert 'value="C25"' in page and 'value="C2521"' not in page  # not 1,900 options on every page
    page = similar(client, "industry=C25")
    assert 'value="C252"' in page and 'value="C2521"' in page and 'value="C2631"' not in page
    assert '<option selected value="C2521">' + "\u00a0" * 6 + "C2521 炼焦</option>" in similar(client, "industry=C2521")
    english = client.get("/similar?industry=C2521&lang=en").get_data(as_text=True)
    assert '<option selected value="C2521">' in english


def test_the_service_category_narrows_the_matching_projects(client, registry_data):
    page = similar(client, "industry=C&category=investigation")
    assert SUJING_NAME in page and JIAOHUA_NAME not in page  # SU-3 is an investigation; JH-1 a risk assessment
    page = similar(client, "industry=C2521&category=risk_assessment")
    assert SUJING_NAME in page and JIAOHUA_NAME in page
    assert SUJING_NAME not in similar(client, "industry=C2521&category=investigation")


def test_bad_codes_and_categories_are_refused_beside_their_fields(client, registry_data):
    for query in ("industry=C9999", "industry=C25211", "category=nonsense", "industry=C2521&category=x"):
        page = similar(client, query)
        assert "请从列表中选择" in page and '<li class="hit">' not in page, query


def test_the_folded_panel_counts_the_criteria_and_the_comparison_carries_the_category(client, registry_data):
    page = similar(client, "industry=C2521&category=risk_assessment&province=32")
    assert "（已设3项）" in page and '<details class="filter-panel">' in page  # folded above the results
    assert '<details class="filter-panel" open>' in similar(client, "")
    assert '<input type="hidden" name="category" value="risk_assessment">' in page  # carried to the comparison
    compared = client.get(f"/compare?uscc={SUJING}&uscc={JIAOHUA}&uscc={LVYUAN}&industry=C2521"
                          "&category=investigation").get_data(as_text=True)
    assert "土壤污染状况调查" in compared  # the criteria line names the service


def test_a_project_with_a_verified_false_performance_is_flagged_in_its_firms_card(client, registry_data):
    """The firm's matching projects are listed with their flag, read in the same statement: LY-1 has a
    substantiated finding, LY-2 only findings not yet public."""
    flagged = similar(client, "industry=C2614")
    assert "杭州某化工厂地块调查" in flagged
    assert flagged.count("经核实存在虚假业绩") - similar(client, "").count("经核实存在虚假业绩") == 1
    plain = similar(client, "industry=C1713")
    assert "宁波某印染厂地块调查" in plain and plain.count("经核实存在虚假业绩") == similar(client, "").count("经核实存在虚假业绩")


def test_a_firm_shows_its_latest_matching_projects_and_links_to_the_rest(client, db):
    """Of a firm's matching projects, the page lists the SHOWN_PROJECTS latest and says where the other two are."""
    from registry.queries.similar import SHOWN_PROJECTS
    from tests.factories import create, make_uscc, project_record, unit_record
    uscc, count = make_uscc(), SHOWN_PROJECTS + 2
    create(unit_record(uscc), *(project_record(uscc, name=f"七号地块第{n}期", former_industry="C3130",
                                               completed_on=f"{2000 + n}-06-30", contract_deadline=f"{2000 + n}-12-31")
                                for n in range(1, count + 1)))
    page = similar(client, "industry=C3130")
    assert [n for n in range(1, count + 1) if f"七号地块第{n}期<" in page] == list(range(3, count + 1))
    assert "另有2个符合条件的项目，见该单位页面" in page and f"/units/{uscc}" in page
