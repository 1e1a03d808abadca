"""Every filter and every sort of the firm search, on the search page and through the API."""
import re

import pytest
from sqlalchemy import event

from registry.queries.search import _hits_excluding
from registry.search import search_ids
from tests.factories import create, make_uscc, project_record, review_record, unit_record
from tests.portal.conftest import HUAXIA, JIAOHUA, JINGHUA, LVYUAN, SUJING, YUEQING

NAMES = {
    SUJING: "江苏苏净环保科技有限公司", JIAOHUA: "山西焦化土壤修复有限公司", LVYUAN: "浙江绿源环境检测有限公司",
    YUEQING: "广东粤清环境有限公司", JINGHUA: "北京京华修复有限公司", HUAXIA: "湖北华夏环境工程有限公司",
}


def unmarked(html: str) -> str:
    """A search page without the marks around the query's occurrences."""
    return re.sub("</?mark>", "", html)


def api_codes(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/units?per_page=100&{query}")
    assert response.status_code == 200, response.json
    return [item["uscc"] for item in response.json["items"]]


def page_names(client, query: str) -> list[str]:
    """Firm names in the order the search page lists them (the query's marks taken out)."""
    text = unmarked(client.get(f"/search?{query}").get_data(as_text=True))
    found = [(text.find(f">{name}<"), name) for name in NAMES.values() if f">{name}<" in text]
    return [name for _, name in sorted(found)]


FILTERS = [
    ("category=risk_assessment", [JIAOHUA]),
    ("category=monitoring", [LVYUAN]),
    ("province=32", [SUJING]),
    ("province=44", []),  # the Guangdong firm's basic information (its division) is withheld
    ("industry=C25", [SUJING, JIAOHUA]),
    ("industry=C25&min_area=70000", [JIAOHUA]),
    ("industry=C25&province=32", [SUJING]),
    ("industry=C25&province=14", [JIAOHUA]),
    ("industry=C17&province=32", []),
    ("min_area=50000&max_area=65000", [SUJING]),
    ("industry=C17", [LVYUAN]),
    ("industry=C19", []),  # only a non-disclosed project was on a C19 parcel
    ("has_penalty=true", [JIAOHUA, YUEQING]),
    ("has_penalty=false", [SUJING, LVYUAN, JINGHUA, HUAXIA]),
    ("banned=true", [JIAOHUA, JINGHUA]),
    ("banned=false", [SUJING, LVYUAN, YUEQING, HUAXIA]),
]


@pytest.mark.parametrize("query,expected", FILTERS)
def test_each_filter_through_the_api(client, registry_data, query, expected):
    assert sorted(api_codes(client, query)) == sorted(expected)


@pytest.mark.parametrize("industry", ["C25", "C2521", "C17", "C19", "C"])
def test_a_parcel_search_within_a_province_lists_the_national_answers_firms_of_that_province(client, registry_data,
                                                                                          industry):
    # within a province, the firms are read by their division and each one's matching projects counted; across
    # the country, the matching projects are read and grouped by firm: both paths give the same firms, in the
    # same order (most matching projects first)
    national = api_codes(client, f"industry={industry}&min_area=1")
    for province in ("11", "14", "32", "33", "42", "44"):
        in_province = set(api_codes(client, f"province={province}"))
        assert api_codes(client, f"industry={industry}&min_area=1&province={province}") == \
            [code for code in national if code in in_province]


@pytest.mark.parametrize("query,expected", FILTERS)
def test_each_filter_on_the_search_page(client, registry_data, query, expected):
    assert sorted(page_names(client, query)) == sorted(NAMES[code] for code in expected)


def test_minimum_first_pass_rate_on_the_search_page(client, registry_data):
    assert sorted(page_names(client, "min_first_pass=60")) == sorted([NAMES[JIAOHUA], NAMES[LVYUAN]])
    assert sorted(page_names(client, "min_first_pass=50")) == sorted([NAMES[JIAOHUA], NAMES[LVYUAN], NAMES[SUJING]])
    assert page_names(client, "min_first_pass=0") == page_names(client, "min_first_pass=0")
    assert NAMES[JINGHUA] not in page_names(client, "min_first_pass=0")  # no reviewed report: no rate


def test_filters_combine_with_a_text_query(client, registry_data):
    assert api_codes(client, "q=焦化") == [JIAOHUA, SUJING]
    assert api_codes(client, "q=焦化&province=14") == [JIAOHUA]
    assert api_codes(client, "q=焦化&banned=false") == [SUJING]
    assert page_names(client, "q=焦化&category=investigation") == [NAMES[SUJING]]


def test_sort_by_first_pass_rate(client, registry_data):
    # rates: 绿源 2/2, 焦化 1/1, 苏净 1/2, 华夏 0/1, then firms without a reviewed report
    order = api_codes(client, "sort=first_pass")
    assert order[:4] == [LVYUAN, JIAOHUA, SUJING, HUAXIA]
    assert set(order[4:]) == {YUEQING, JINGHUA}
    assert page_names(client, "sort=first_pass")[:4] == [NAMES[c] for c in (LVYUAN, JIAOHUA, SUJING, HUAXIA)]


def test_sort_by_on_time_rate(client, registry_data):
    order = api_codes(client, "sort=on_time")
    # 1/1, 1/1 (LY-1, found false, left LVYUAN's 2/2), 1/2; ties by the larger total, then registration order
    assert order[:3] == [JIAOHUA, LVYUAN, SUJING]
    assert page_names(client, "sort=on_time")[:3] == [NAMES[c] for c in (JIAOHUA, LVYUAN, SUJING)]


def test_sort_by_number_of_projects_and_by_relevance_without_a_query(client, registry_data):
    order = api_codes(client, "sort=projects")
    assert order[:3] == [SUJING, LVYUAN, JIAOHUA]  # 3, 2 (one withheld), 1 public projects
    assert api_codes(client, "sort=relevance") == order


def test_sort_by_name(client, registry_data):
    order = api_codes(client, "sort=name")
    assert order == sorted(order, key=lambda code: NAMES[code])


def test_a_text_query_sorted_by_a_rate(client, registry_data):
    assert api_codes(client, "q=有限公司&sort=first_pass")[:3] == [LVYUAN, JIAOHUA, SUJING]


def test_a_first_pass_floor_and_a_rate_order_are_read_once_a_data_generation(client, registry_data, db):
    """Each firm's first-pass counts and its place in each order are read once a data generation, not aggregated
    over every review of the registry for each search; the next write shows in them."""
    queries = ["q=有限公司&sort=first_pass", "q=有限公司&sort=on_time", "q=有限公司&min_first_pass=60",
               "min_first_pass=60", "industry=C25&min_first_pass=60", "industry=C25&sort=first_pass"]
    for query in queries:
        client.get(f"/search?{query}")
    statements = []
    record = lambda _c, _cur, statement, *_a: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for query in queries:
            assert client.get(f"/search?{query}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # no statement joins a rate of every firm (a subquery `first_pass` or `on_time`): only the firms a page shows
    # have their rates counted (their summaries)
    assert not [s for s in statements if "first_pass.unit_id" in s or "on_time.unit_id" in s], statements
    assert api_codes(client, "q=有限公司&sort=first_pass")[:4] == [LVYUAN, JIAOHUA, SUJING, HUAXIA]
    assert sorted(page_names(client, "q=有限公司&min_first_pass=60")) == sorted([NAMES[JIAOHUA], NAMES[LVYUAN]])
    create(project_record(JINGHUA, "JH-9", division_code="110105"), review_record("JH-9", passed=True))
    # 京华 1/1: with 焦化 1/1 after 绿源 2/2 (ties by the larger total, then the older firm)
    assert api_codes(client, "q=有限公司&sort=first_pass")[:5] == [LVYUAN, JIAOHUA, JINGHUA, SUJING, HUAXIA]
    assert sorted(page_names(client, "q=有限公司&min_first_pass=60")) == sorted(
        [NAMES[JIAOHUA], NAMES[LVYUAN], NAMES[JINGHUA]])
    assert sorted(page_names(client, "min_first_pass=60")) == sorted([NAMES[JIAOHUA], NAMES[LVYUAN], NAMES[JINGHUA]])


@pytest.mark.parametrize("query, left_out", [("banned=false", {JIAOHUA, JINGHUA}),
                                              ("has_penalty=false", {JIAOHUA, YUEQING}),
                                              ("has_penalty=false&banned=false", {JIAOHUA, YUEQING, JINGHUA})])
def test_a_text_query_without_penalised_or_banned_firms_is_the_whole_answer_less_them(client, registry_data, query,
                                                                                    left_out):
    """Such a search asks the index for its hits and leaves the few firms out (not for the hits among every other
    firm): page by page, each one a hit, it lists the whole answer's firms but those, in the same order."""
    whole = api_codes(client, "q=有限公司")
    expected = [code for code in whole if code not in left_out]
    assert len(expected) >= 3 and api_codes(client, f"q=有限公司&{query}") == expected

    def one_page(page: int) -> list[str]:
        response = client.get(f"/api/v1/units?q=有限公司&{query}&per_page=1&page={page}")
        assert response.status_code == 200, response.json
        return [item["uscc"] for item in response.json["items"]]

    assert [code for page in range(1, len(expected) + 2) for code in one_page(page)] == expected
    assert api_codes(client, f"q=有限公司&{query}&sort=name") == sorted(expected, key=lambda code: NAMES[code])


def test_leaving_firms_out_asks_the_index_again_when_the_first_hits_are_left_out(client, registry_data):
    whole = search_ids("有限公司", "unit", limit=100)
    assert len(whole) >= 5
    assert _hits_excluding("有限公司", set(whole[:3]), 1) == whole[3:4]  # asked for 2, none kept: then for 4
    assert _hits_excluding("有限公司", set(whole[:3]), 2) == whole[3:5]
    assert _hits_excluding("有限公司", set(whole[1:4]), 2) == [whole[0], whole[4]]
    assert _hits_excluding("有限公司", set(whole), 2) == []
    assert _hits_excluding("有限公司", set(), 100) == whole


def test_pagination_of_the_search_page_and_the_api(client, registry_data):
    for n in range(25):
        create(unit_record(make_uscc("370200", 300 + n), name=f"青岛测试修复{n:02d}有限公司"))
    first = unmarked(client.get("/search?q=青岛测试").get_data(as_text=True))
    # the page stops after the hits it needs; the rest is estimated where the backend can (tests/search)
    assert "下一页" in first and ("找到约25家单位" in first or "找到20家以上单位" in first)
    second = unmarked(client.get("/search?q=青岛测试&page=2").get_data(as_text=True))
    assert "上一页" in second and "下一页" not in second
    on_first = set(re.findall(r"青岛测试修复\d\d有限公司", first))
    on_second = set(re.findall(r"青岛测试修复\d\d有限公司", second))
    assert len(on_first) == 20 and len(on_second) == 5 and not on_first & on_second
    answer = client.get("/api/v1/units?q=青岛测试&per_page=10&page=3").json
    assert answer["total"] == 25 and len(answer["items"]) == 5 and answer["page"] == 3
    odd = client.get("/search?q=青岛测试&endpoint=x&_external=1&_scheme=javascript").get_data(as_text=True)
    assert ('href="/search?q=%E9%9D%92%E5%B2%9B%E6%B5%8B%E8%AF%95&amp;endpoint=x&amp;_external=1&amp;_scheme=javascript'
            '&amp;page=2" rel="next"') in odd  # url_for's own keywords stay plain parameters of the link


def test_an_empty_result_helps(client, registry_data):
    text = client.get("/search?q=不存在的公司名称").get_data(as_text=True)
    assert "没有符合条件的单位" in text and "两个字即可" in text


def test_a_hit_shows_the_ban_first_then_province_categories_and_rates(client, registry_data):
    text = unmarked(client.get("/search?q=山西焦化").get_data(as_text=True))
    hit = text[text.index('<li class="hit">'):]
    assert hit.index("禁止从业至2027-12-31") < hit.index("山西焦化土壤修复有限公司")
    assert "山西省" in hit and "土壤污染风险评估" in hit and "1/1 (100.0%)" in hit


def test_bad_filter_values_are_shown_next_to_their_fields_in_chinese(client, registry_data):
    text = client.get("/search?min_area=abc&min_first_pass=150&max_area=1&province=99").get_data(as_text=True)
    assert 'id="min_area-errors"' in text and 'id="min_first_pass-errors"' in text
    assert "请输入0到100之间的百分比" in text and 'id="province-errors"' in text
    assert '<li class="hit">' not in text


def test_a_full_id_number_is_refused_on_the_search_page(client, registry_data):
    from tests.portal.conftest import WANG_ID

    text = client.get(f"/search?q={WANG_ID}").get_data(as_text=True)
    assert "不能按完整身份证号码查询" in text and WANG_ID not in text.replace(f'value="{WANG_ID}"', "")


def test_persons_matching_the_query_are_shown_masked(client, registry_data):
    text = client.get("/search?q=王建国").get_data(as_text=True)
    assert "王建国" in text and "110105********" in text


def test_english_is_available(client, registry_data):
    text = client.get("/search?q=苏净&lang=en").get_data(as_text=True)
    assert "First-pass review rate" in text and "1/2 (50.0%)" in text


def test_similar_parcels_rank_by_matching_projects_then_first_pass_rate(client, registry_data):
    create(project_record(LVYUAN, "LY-9", name="嘉兴某焦化厂地块监测", division_code="330402", area_m2=55000,
                          former_industry="C2521"),
           project_record(LVYUAN, "LY-10", name="湖州某焦化厂地块监测", division_code="330502", area_m2=58000,
                          former_industry="C2529"),
           review_record("LY-9", 1, True))
    text = client.get("/similar?industry=C25&min_area=50000&max_area=100000").get_data(as_text=True)
    order = [text.index(NAMES[code]) for code in (LVYUAN, JIAOHUA, SUJING)]
    assert order == sorted(order)  # 2 matching projects first; then 1 each, 焦化 (1/1) before 苏净 (1/2)
    assert "嘉兴某焦化厂地块监测" in text and "无锡某焦化厂地块风险评估" in text
    assert "杭州某化工厂地块调查" not in text  # not a matching project
    zhejiang = client.get("/similar?industry=C25&province=33").get_data(as_text=True)
    assert NAMES[LVYUAN] in zhejiang and NAMES[JIAOHUA] not in zhejiang
    assert "请至少选择一个条件" in client.get("/similar").get_data(as_text=True)
    assert "没有符合条件的公开项目" in client.get("/similar?industry=C19").get_data(as_text=True)


def test_similar_parcels_list_a_firms_latest_projects_and_link_the_rest(client, registry_data):
    from registry.queries.similar import SHOWN_PROJECTS
    create(*[project_record(LVYUAN, f"LY-S{n}", name=f"绍兴某焦化厂{n}号地块", former_industry="C2521", area_m2=30000,
                          division_code="330602")
             for n in range(12)])
    text = client.get("/similar?industry=C25&province=33").get_data(as_text=True)
    assert text.count("绍兴某焦化厂") == SHOWN_PROJECTS and f"另有{12 - SHOWN_PROJECTS}个符合条件的项目" in text
