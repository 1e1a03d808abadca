"""The comparison of two to four firms, as a landowner shortlisting contractors uses it: firms added from search
hits, similar-parcel matches and profiles by plain GET forms (the chosen set travels in the query string), one
column per firm with the rates and their denominators and periods, public projects, matches of the
similar-parcel criteria the visitor came with, active bans, public penalties, findings and responsible persons.
More than four firms, a code that is not valid, or a firm that is not listed gets a clear message, never a 500;
a firm listed nowhere is never named."""
import re
from urllib.parse import parse_qsl, urlsplit

from tests.factories import create, make_uscc, project_record, unit_record
from tests.portal.conftest import HUAXIA, JIAOHUA, JINGHUA, JINGTU, LVYUAN, SUJING, WANG_ID, YUEQING


def columns(text: str) -> list[str]:
    """The firms heading the comparison's columns, in order."""
    head = text[text.index('<table class="compare'):text.index("</thead>")]
    return re.findall(r'<th scope="col"><a href="/units/[^"]+">([^<]+)</a>', head)


def row(text: str, title: str) -> list[str]:
    """The cells of one figure's row, as text."""
    found = re.search(r'<th scope="row" class="metric">' + re.escape(title) + r"</th>(.*?)</tr>", text, re.S)
    assert found, title
    return [re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def test_three_firms_side_by_side_with_rates_denominators_and_periods(registry_data, client):
    response = client.get(f"/compare?uscc={SUJING}&uscc={JIAOHUA}&uscc={LVYUAN}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert columns(text) == ["江苏苏净环保科技有限公司", "山西焦化土壤修复有限公司", "浙江绿源环境检测有限公司"]
    assert row(text, "评审一次性通过率") == ["1/2 (50.0%) (2024-05-01至2024-07-01)", "1/1 (100.0%) (2024-01-15至2024-01-15)",
                                        "2/2 (100.0%) (2025-03-01至2025-04-01)"]
    assert row(text, "按期完成率")[0] == "1/2 (50.0%) (2024-04-10至2024-06-01)"
    assert row(text, "公开项目") == ["3", "1", "2"]  # LVYUAN's withheld project is not counted
    assert row(text, "禁止从业")[1].startswith("禁止从业至2027-12-31") and row(text, "禁止从业")[0] == "无"
    assert row(text, "公开的行政处罚") == ["0", "1 晋环罚〔2026〕5号 (2026-06-01)", "0"]  # a minor penalty is not public
    assert row(text, "虚假业绩举报核实情况") == ["0", "0", "1"]
    staff = row(text, "从业人员")
    assert "王建国" in staff[0] and "赵六" not in staff[2]  # 赵六 never consented to publication
    assert "类似地块项目" not in text  # no criteria, no such row


def test_the_similar_parcel_criteria_carried_in_count_each_firms_matching_projects(registry_data, client):
    text = client.get(f"/compare?uscc={SUJING}&uscc={JIAOHUA}&uscc={LVYUAN}&industry=C25&min_area=50000"
                      ).get_data(as_text=True)
    assert row(text, "类似地块项目") == ["1", "1", "0"]  # SU-2 (C2521, 60,000 m²) and JH-1 (C2521, 80,000 m²)
    assert "原行业类别 C25" in text and "50,000–∞ m²" in text
    text = client.get(f"/compare?uscc={SUJING}&uscc={JIAOHUA}&industry=C25&province=14").get_data(as_text=True)
    assert row(text, "类似地块项目") == ["0", "1"]  # the province is the parcel's, as on /similar


def test_too_many_firms_a_bad_code_or_an_unlisted_firm_get_a_clear_message(registry_data, client):
    five = client.get("/compare?" + "&".join(f"uscc={code}" for code in (SUJING, JIAOHUA, LVYUAN, JINGHUA, HUAXIA)))
    assert five.status_code == 400 and "每次最多比较4家单位，当前选择了5家" in five.get_data(as_text=True)
    bad = client.get(f"/compare?uscc={SUJING}&uscc=91320500ABCDEFGH12")
    assert bad.status_code == 400 and "第2个统一社会信用代码无效：统一社会信用代码" in bad.get_data(as_text=True)
    hostile = client.get("/compare", query_string={"uscc": ["<script>x</script>" * 20, "\x00", SUJING]})
    assert hostile.status_code == 400 and "<script>" not in hostile.get_data(as_text=True)
    unknown = client.get(f"/compare?uscc={SUJING}&uscc={JINGTU}&uscc={make_uscc('370200', 999)}")
    text = unknown.get_data(as_text=True)
    assert unknown.status_code == 404 and f"没有统一社会信用代码为{JINGTU}的公开单位。" in text
    assert "上海净土修复工程有限公司" not in text  # a firm listed nowhere is never named
    assert columns(text) == ["江苏苏净环保科技有限公司"]
    assert f'href="/compare?uscc={SUJING}"' in text  # compare the others
    english = client.get(f"/compare?uscc={SUJING}&uscc=123&lang=en").get_data(as_text=True)
    assert "is not a unified social credit code" in english


def test_codes_in_any_case_count_once_and_fewer_than_two_firms_ask_for_more(registry_data, client):
    text = client.get(f"/compare?uscc={SUJING.lower()}&uscc={SUJING}&uscc={YUEQING}").get_data(as_text=True)
    assert columns(text) == ["江苏苏净环保科技有限公司", "广东粤清环境有限公司"]
    assert "粤清路8号" not in text  # a withheld firm: name and code only
    one = client.get(f"/compare?uscc={SUJING}").get_data(as_text=True)
    assert "请至少选择两家单位进行比较" in one and columns(one) == ["江苏苏净环保科技有限公司"]
    empty = client.get("/compare")
    assert empty.status_code == 200 and "请至少选择两家单位进行比较" in empty.get_data(as_text=True)


def add_forms(text: str) -> list[list[tuple[str, str]]]:
    """Each add-to-comparison form as the query string it sends (hidden fields, then its button)."""
    forms = re.findall(r'<form class="compare-add no-print" method="get" action="/compare">(.*?)</form>', text, re.S)
    return [re.findall(r'name="(\w+)" value="([^"]*)"', form) for form in forms]


def test_search_hits_similar_matches_and_profiles_add_a_firm_with_a_plain_form(registry_data, client):
    text = client.get(f"/search?q=有限公司&industry=C25&compare={SUJING}").get_data(as_text=True)
    assert "已选择1家单位进行比较。" in text and "已加入比较" in text
    forms = add_forms(text)
    assert forms and all(form[0] == ("uscc", SUJING) and form[1] == ("industry", "C25") and form[-1][0] == "uscc"
                         for form in forms)
    assert f'<input type="hidden" name="compare" value="{SUJING}">' in text  # a new search keeps the choice
    similar = client.get(f"/similar?industry=C25&province=14&compare={SUJING}").get_data(as_text=True)
    assert add_forms(similar) == [[("uscc", SUJING), ("industry", "C25"), ("province", "14"), ("uscc", JIAOHUA)]]
    profile = client.get(f"/units/{LVYUAN}?compare={SUJING}&compare={JIAOHUA}").get_data(as_text=True)
    assert add_forms(profile) == [[("uscc", SUJING), ("uscc", JIAOHUA), ("uscc", LVYUAN)]]
    full = client.get(f"/units/{LVYUAN}?" + "&".join(f"compare={c}" for c in (SUJING, JIAOHUA, JINGHUA, HUAXIA)))
    assert add_forms(full.get_data(as_text=True)) == [] and "已选择4家单位，已达比较上限。" in full.get_data(as_text=True)
    # the comparison offers the way back to add another, carrying the choice and the criteria
    compare = client.get(f"/compare?uscc={SUJING}&uscc={JIAOHUA}&industry=C25&province=14").get_data(as_text=True)
    assert re.search(r'action="/search".*?name="compare" value="' + SUJING + '".*?name="industry" value="C25"',
                     compare, re.S)
    assert re.search(r'action="/similar".*?name="province" value="14"', compare, re.S)


def test_a_search_page_link_keeps_every_firm_chosen(app, client):
    create(*[unit_record(make_uscc("370200", 700 + n), name=f"青岛比较测试修复有限公司{n}号") for n in range(25)],
           *[project_record(make_uscc("370200", 700 + n)) for n in range(25)])
    chosen = [make_uscc("370200", 700), make_uscc("370200", 701)]
    text = client.get(f"/search?q=青岛比较测试&compare={chosen[0]}&compare={chosen[1]}").get_data(as_text=True)
    following = re.search(r'href="([^"]+)" rel="next"', text).group(1).replace("&amp;", "&")
    assert [value for key, value in parse_qsl(urlsplit(following).query) if key == "compare"] == chosen
    assert "page=2" in following


def test_a_lower_area_bound_that_is_not_a_number_is_refused_not_compared(registry_data, client):
    """The query fuzzing found it: `min_area=NaN&max_area=-0` compared the bounds and raised (a 500) on the
    comparison, the search and the similar-parcel search alike."""
    for path in ("/compare", "/similar", "/search"):
        response = client.get(f"{path}?min_area=NaN&max_area=-0&uscc={SUJING}")
        assert response.status_code in (200, 400), path  # the search pages show the form again with its errors
        assert "请输入不小于0的面积（平方米）。" in response.get_data(as_text=True), path



def test_a_full_id_number_typed_as_a_credit_code_is_never_echoed(registry_data, client):
    """Typed as a firm to compare, carried as a choice, or inside other text: the number is named by its place."""
    birth_date = WANG_ID[6:14]
    for url in (f"/compare?uscc={SUJING}&uscc={WANG_ID}", f"/compare?uscc={SUJING}&uscc=x{WANG_ID}",
                f"/search?q=有限公司&compare={WANG_ID}&compare={SUJING}", f"/units/{SUJING}?compare={WANG_ID}",
                f"/similar?industry=C25&compare={WANG_ID}", f"/compare?uscc={SUJING}&uscc={WANG_ID}&lang=en"):
        response = client.get(url)
        assert response.status_code < 500 and birth_date not in response.get_data(as_text=True), url
