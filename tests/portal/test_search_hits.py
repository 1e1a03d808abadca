"""A search hit says why it was found: the query's occurrences marked in the name, or in the public project,
parcel or owner that matched (a hit found only there ranks after the name matches, and says so); findings
beside penalties and bans. Only public text is ever shown, escaped."""
from tests.factories import create, make_uscc, project_record, unit_record
from tests.portal.conftest import ALL_FULL_ID_NUMBERS, SUJING


def hits(client, query: str) -> list[str]:
    """The firm hits of the search page, each as its HTML."""
    page = client.get(f"/search?q={query}").get_data(as_text=True)
    firms = page[page.index("<h2>单位</h2>"):] if "<h2>单位</h2>" in page else page
    return firms.split('<li class="hit">')[1:]


def test_the_name_is_marked_where_the_query_occurs(client, registry_data):
    [hit] = hits(client, "苏净")
    assert '<span lang="zh-CN">江苏<mark>苏净</mark>环保科技有限公司</span></a>' in hit
    assert "match-reasons" not in hit  # the name says it all


def test_a_hit_found_in_a_project_says_which_and_ranks_after_the_name_matches(client, registry_data):
    first, second = hits(client, "焦化")
    assert "山西<mark>焦化</mark>土壤修复有限公司" in first
    assert "江苏苏净环保科技有限公司</a>" in second  # no mark in the name: the reason follows
    assert "项目名称匹配：" in second and '<a href="/projects/SU-2"><span lang="zh-CN">无锡某<mark>焦化</mark>厂地块风险评估</span></a>' in second
    [owner] = hits(client, "无锡城投")
    assert "项目业主匹配：" in owner and "<mark>无锡城投</mark>集团" in owner
    [parcel] = hits(client, "太原焦化厂")
    assert "地块名称匹配：" in parcel and "原<mark>太原焦化厂</mark>地块" in parcel
    [code] = hits(client, SUJING[:8])
    assert f'统一社会信用代码匹配：</span>\n        <span lang="zh-CN"><mark>{SUJING[:8]}</mark>{SUJING[8:]}' in code
    english = client.get("/search?q=无锡城投&lang=en").get_data(as_text=True)
    assert "Matched in a project's owner:" in english


def test_several_words_each_show_where_they_occur_and_withheld_projects_never(client, registry_data):
    [hit] = hits(client, "苏净 焦化厂")
    assert "江苏<mark>苏净</mark>环保" in hit and "无锡某<mark>焦化厂</mark>地块" in hit
    [green] = hits(client, "绿源 地块")
    assert "浙江<mark>绿源</mark>环境" in green and "<mark>地块</mark>" in green
    assert "温州" not in green and "保密" not in green  # the withheld project LY-3 holds 地块 too
    # a finding is shown as penalties and bans are
    assert "经核实的虚假业绩" in green and "公开的行政处罚" in hits(client, "山西焦化")[0]


def test_a_project_found_in_another_case_of_its_latin_letters_says_which(client, registry_data):
    """The query is folded; the project's text is matched in any case of its Latin letters on both databases."""
    code = make_uscc("320500", 191)
    create(unit_record(code, name="苏州大写修复有限公司", division_code="320506"),
           project_record(code, "UP-1", name="XYZW厂旧址调查"))
    [hit] = hits(client, "xyzw")
    assert "项目名称匹配：" in hit and "<mark>XYZW</mark>厂旧址调查" in hit


def test_marked_text_is_escaped(client, registry_data):
    code = make_uscc("320500", 190)
    create(unit_record(code, name="苏州<b>粗体</b>修复有限公司", division_code="320506"),
           project_record(code, "B-1", name="<script>alert(1)</script>粗体地块"))
    [hit] = hits(client, "粗体")
    assert "&lt;b&gt;<mark>粗体</mark>&lt;/b&gt;" in hit and "<script>" not in hit and "<b>" not in hit


def test_a_person_hit_marks_the_name_and_an_id_number_finds_nothing(client, registry_data):
    page = client.get("/search?q=建国").get_data(as_text=True)
    assert "王<mark>建国</mark>" in page
    for number in ALL_FULL_ID_NUMBERS:
        page = client.get(f"/search?q={number}").get_data(as_text=True)
        assert "<mark>" not in page and number not in page
