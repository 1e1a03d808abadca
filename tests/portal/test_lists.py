"""The public lists a landowner reads before choosing a contractor: bans in force, penalties public today and
substantiated findings, each with its filters, its empty state and its pages, and the home page's figures that
link to them (the figure shown is the list's total)."""
import itertools
import re

import pytest
from sqlalchemy import event, select, update

from registry.models import Penalty, Person
from registry.queries.lists import severity_is
from registry.reference import PENALTY_KINDS, SEVERITIES
from registry.rules.publicity import decision_severity
from tests.factories import complaint_record, create, make_uscc, penalty_record, unit_record
from tests.portal.conftest import JIAOHUA, LI_ID, SUJING, WANG_ID

WANG_MASKED = WANG_ID[:6] + "*" * 8 + WANG_ID[-4:]
LI_MASKED = LI_ID[:6] + "*" * 8 + LI_ID[-4:]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def decisions(text: str) -> list[str]:
    """The decision numbers a list page shows, in its order."""
    return re.findall(r"<dt>(?:Decision number|行政处罚决定书文号)</dt><dd>([^<]+)</dd>", text)


@pytest.fixture
def person_ban(registry_data):
    """王建国 (signed) banned for ten years by a Shanxi decision: a person on the ban list."""
    create(penalty_record({"id_number": WANG_ID}, "晋环罚〔2026〕8号", authority="山西省生态环境厅",
                          authority_division_code="140000", decided_on="2026-07-01", ban={"until": "2036-07-01"},
                          kinds=["practice_ban"]))


def test_the_ban_list_shows_firms_and_persons_banned_today_newest_first(client, person_ban):
    text = page(client, "/bans")
    # the person (decided 2026-07-01), the Shanxi firm (2026-06-01), the Beijing firm for life (2025-01-01)
    assert decisions(text) == ["晋环罚〔2026〕8号", "晋环罚〔2026〕5号", "京环罚〔2025〕1号"]
    assert "禁止从业至2027-12-31" in text and "终身禁止从业" in text
    assert WANG_MASKED in text and WANG_ID not in text  # masked as the profile masks it
    assert "山西焦化土壤修复有限公司" in text and "北京京华修复有限公司" in text
    # the lifetime ban's penalty is no longer public: only the ban, its end and the decision number
    beijing = text[text.index("北京京华修复有限公司"):]
    assert "该处罚公示期已满" in beijing
    assert "伪造修复效果评估报告" not in text


def test_the_ban_list_filters_by_party_and_by_the_deciding_authoritys_province(client, person_ban):
    assert decisions(page(client, "/bans?kind=person")) == ["晋环罚〔2026〕8号"]
    assert decisions(page(client, "/bans?kind=unit")) == ["晋环罚〔2026〕5号", "京环罚〔2025〕1号"]
    assert decisions(page(client, "/bans?province=14")) == ["晋环罚〔2026〕8号"]
    empty = page(client, "/bans?province=65")
    assert decisions(empty) == [] and "今日没有正在执行的禁止从业" in empty and 'href="/bans"' in empty


def test_a_ban_leaves_the_list_the_day_after_it_ends(app, client, registry_data):
    assert "晋环罚〔2026〕5号" in decisions(page(client, "/bans"))
    app.config["TODAY"] = "2027-12-31"
    assert "晋环罚〔2026〕5号" in decisions(page(client, "/bans"))
    app.config["TODAY"] = "2028-01-01"
    assert decisions(page(client, "/bans")) == ["京环罚〔2025〕1号"]


def test_the_penalty_list_shows_what_is_public_today(client, registry_data):
    text = page(client, "/penalties")
    # public: the Shanxi firm's and person's, the withheld Guangdong firm's (name and code only); not the minor
    # one (not published since 2026-04-01), the repaired one, or the one whose publicity ended (its ban is on /bans)
    assert sorted(decisions(text)) == sorted(["晋环罚〔2026〕5号", "晋环罚〔2026〕6号", "粤环罚〔2026〕7号"])
    assert decisions(text)[0] == "粤环罚〔2026〕7号"  # the newest decision first
    assert LI_MASKED in text and LI_ID not in text
    assert "广东粤清环境有限公司" in text and "粤清路8号" not in text
    assert "失信程度如何确定" in text  # the page says how severity is defined


@pytest.mark.parametrize("query,expected", [
    ("severity=serious", ["晋环罚〔2026〕5号"]),
    ("severity=ordinary", ["粤环罚〔2026〕7号", "晋环罚〔2026〕6号"]),
    ("severity=minor", []),
    ("banned=true", ["晋环罚〔2026〕5号"]),
    ("banned=false", ["粤环罚〔2026〕7号", "晋环罚〔2026〕6号"]),
    ("authority=山西", ["晋环罚〔2026〕6号", "晋环罚〔2026〕5号"]),
    ("authority=%25", []),  # a literal percent sign, not a wildcard
    ("province=37", ["粤环罚〔2026〕7号", "晋环罚〔2026〕6号", "晋环罚〔2026〕5号"]),
    ("province=14", []),
    ("since=2026-08-01", ["粤环罚〔2026〕7号"]),
    ("until=2026-08-01", ["晋环罚〔2026〕6号", "晋环罚〔2026〕5号"]),
    ("since=2026-06-01&until=2026-06-01&severity=ordinary", ["晋环罚〔2026〕6号"]),
])
def test_each_penalty_filter(client, registry_data, query, expected):
    assert decisions(page(client, f"/penalties?{query}")) == expected


@pytest.mark.parametrize("query,message", [
    ("since=2026-13-01", "since"), ("until=yesterday", "until"), ("severity=grave", "severity"),
    ("province=99", "province"), ("banned=maybe", "banned"), ("since=2026-09-01&until=2026-08-01", "截止日期早于起始日期"),
])
def test_a_bad_filter_is_a_clear_error_that_lists_nothing(client, registry_data, query, message):
    response = client.get(f"/penalties?{query}")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请更正上方标出的筛选条件" in text and decisions(text) == []
    assert message in text  # the field marked, or the rule's words


def test_the_penalty_list_pages_with_the_house_pagination(client, registry_data):
    create(*(penalty_record({"uscc": SUJING}, f"苏环罚〔2026〕{n}号", decided_on=f"2026-10-{n:02d}")
             for n in range(1, 21)))
    first = page(client, "/penalties?severity=ordinary")
    assert len(decisions(first)) == 20 and 'rel="next"' in first
    second = page(client, "/penalties?severity=ordinary&page=2")
    assert decisions(second) == ["粤环罚〔2026〕7号", "晋环罚〔2026〕6号"]  # the filter kept on the next page
    beyond = page(client, "/penalties?page=9")
    assert decisions(beyond) == [] and "/penalties?page=2" in beyond  # past the end: a link to the last page


def test_the_findings_list_shows_substantiated_findings_only(client, registry_data):
    text = page(client, "/findings")
    assert "经核查，该项目监测业绩系虚构" in text and "浙江绿源环境检测有限公司" in text
    assert "/projects/LY-1" in text
    assert "经核查，举报内容不属实" not in text and "尚未核实的举报内容" not in text
    assert "举报人甲" not in text and "13900000000" not in text  # never the complainant
    assert "没有经核实的虚假业绩" in page(client, "/findings?province=11")


def test_a_finding_about_a_withheld_project_names_the_firm_not_the_project(client, registry_data):
    create(complaint_record("LY-3", "C-SECRET", status="substantiated", finding="保密项目的业绩系虚构"))
    text = page(client, "/findings")
    assert "保密项目的业绩系虚构" in text
    assert "/projects/LY-3" not in text and "温州某皮革厂地块监测" not in text


def test_a_person_marked_non_disclosed_is_on_no_list(client, db, registry_data):
    create(penalty_record({"id_number": LI_ID}, "晋环罚〔2026〕9号", decided_on="2026-08-01",
                          ban={"until": "2030-01-01"}, kinds=["practice_ban"]))
    assert "晋环罚〔2026〕9号" in decisions(page(client, "/bans"))
    person = db.session.scalar(select(Person).where(Person.name == "李四"))
    person.non_disclosure_reason = "依法不予公开"
    db.session.commit()
    for url in ("/bans", "/penalties"):
        text = page(client, url)
        assert "李四" not in text and LI_MASKED not in text
    assert client.get(f"/persons/{person.public_id}").status_code == 404  # as the profile says


def test_the_home_pages_figures_are_the_lists_totals_and_link_to_them(client, person_ban):
    home = page(client, "/")
    for path, title in (("/bans", "正在执行的禁止从业"), ("/penalties", "公示中的行政处罚"),
                        ("/findings", "经核实的虚假业绩")):
        shown = re.search(rf'<dt>{title}</dt><dd><a href="{path}">(\d+)</a></dd>', home)
        assert shown, title
        listed = re.search(r"共(\d+)条记录", page(client, path))
        assert listed and shown[1] == listed[1], (path, shown[1])
    assert re.search(r'<a href="/bans">3</a>', home)


def test_the_home_pages_figures_are_counted_once_a_data_generation(client, person_ban, db):
    """The figures count the whole registry (a million projects at national scale): a server counts them once a
    data generation, so a second visit counts nothing, and the next write shows in them."""
    def firms(text):
        return int(re.search(r"<dt>[^<]*</dt><dd>(\d+)</dd>", text)[1])  # the first figure: the firms

    first = page(client, "/")
    statements = []
    record = lambda _c, _cur, statement, *_a: statements.append(statement.lower())  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert page(client, "/") == first
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not [statement for statement in statements if "count(" in statement], statements
    create(unit_record(make_uscc("370200", 903), name="首页计数测试环保有限公司"))
    assert firms(page(client, "/")) == firms(first) + 1


def test_the_lists_read_in_english(client, person_ban):
    text = page(client, "/penalties?lang=en")
    assert "Public administrative penalties" in text and "How severity is defined" in text
    assert "Banned from practice until 2027-12-31" in text
    bans = page(client, "/bans?lang=en")
    assert "Banned from practice for life" in bans and WANG_MASKED in bans


def test_severity_in_sql_is_the_rule_for_every_stated_severity_and_kinds(app, db):
    """`severity_is` (SQL) and `decision_severity` (the rule) agree on every stated severity with every kind, alone
    and with a practice ban: records the import refuses today (an ordinary ban) are written straight to the table,
    as older data may hold them."""
    uscc = make_uscc("370200", 901)
    create(unit_record(uscc, name="严重程度测试单位"))
    combinations = list(itertools.product(SEVERITIES, [[kind] for kind in PENALTY_KINDS] + [["fine", "practice_ban"]]))
    create(*(penalty_record({"uscc": uscc}, f"测〔{n}〕号", decided_on="2025-06-01", kinds=["fine"])
             for n in range(len(combinations))))
    for n, (severity, kinds) in enumerate(combinations):
        db.session.execute(update(Penalty).where(Penalty.decision_number == f"测〔{n}〕号")
                           .values(severity=severity, kinds=kinds))
    db.session.commit()
    for severity in SEVERITIES:
        in_sql = set(db.session.scalars(select(Penalty.decision_number).where(severity_is(severity))))
        by_rule = {f"测〔{n}〕号" for n, (stated, kinds) in enumerate(combinations)
                   if decision_severity(stated, kinds) == severity}
        assert in_sql == by_rule, severity
    assert decision_severity("ordinary", ["fine", "practice_ban"]) == "serious"
    assert decision_severity("serious", ["warning"]) == "serious"
    assert decision_severity("minor", ["warning"]) == "minor"


def test_each_party_links_to_its_profile(client, registry_data):
    text = page(client, "/penalties?authority=山西")
    assert re.search(rf'href="/units/{JIAOHUA}">山西焦化土壤修复有限公司</a>', text)
    public_id = re.search(r'href="/persons/([^"]+)">李四</a>', text)[1]
    assert LI_MASKED in page(client, f"/persons/{public_id}")


# -- the same lists through the API (DESIGN §6) ----------------------------------------------------------------

def api_decisions(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.json)
    assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["ETag"].startswith('W/"')
    return [item["decision_number"] for item in response.json["items"]]


@pytest.mark.parametrize("query", ["", "severity=serious", "severity=ordinary", "banned=true", "banned=false",
                                   "authority=山西", "province=37", "since=2026-08-01", "until=2026-08-01&severity=ordinary"])
def test_the_penalty_api_lists_what_the_page_lists(client, person_ban, query):
    assert api_decisions(client, f"/api/v1/penalties?per_page=100&{query}") == decisions(page(client, f"/penalties?{query}"))


@pytest.mark.parametrize("query", ["", "kind=unit", "kind=person", "province=14", "province=65"])
def test_the_ban_api_lists_what_the_page_lists(client, person_ban, query):
    assert api_decisions(client, f"/api/v1/bans?per_page=100&{query}") == decisions(page(client, f"/bans?{query}"))


def test_a_ban_in_the_api_is_the_ban_its_end_and_the_decision_number(client, person_ban):
    items = {item["decision_number"]: item for item in client.get("/api/v1/bans").json["items"]}
    assert items["京环罚〔2025〕1号"] == {"decision_number": "京环罚〔2025〕1号", "subject_kind": "unit", "person": None,
                                       "unit": {"uscc": "91110100XBQ6K1EU60", "name": "北京京华修复有限公司"},
                                       "until": None, "lifetime": True, "categories": None}
    person = items["晋环罚〔2026〕8号"]
    assert person["subject_kind"] == "person" and person["unit"] is None
    assert person["person"]["id_number_masked"] == WANG_MASKED and person["person"]["name"] == "王建国"
    assert WANG_ID not in client.get("/api/v1/bans").get_data(as_text=True)


def test_a_penalty_in_the_api_has_its_subject_and_the_decisions_severity(client, person_ban):
    items = {item["decision_number"]: item for item in client.get("/api/v1/penalties").json["items"]}
    assert items["晋环罚〔2026〕6号"]["person"]["id_number_masked"] == LI_MASKED
    assert items["晋环罚〔2026〕5号"]["unit"]["uscc"] == JIAOHUA and items["晋环罚〔2026〕5号"]["severity"] == "serious"
    assert items["晋环罚〔2026〕5号"]["ban"] == {"active": True, "until": "2027-12-31", "lifetime": False}
    answer = client.get("/api/v1/penalties?per_page=1&page=2").json
    assert (answer["total"], answer["total_relation"], answer["page"], answer["per_page"]) == (4, "eq", 2, 1)


@pytest.mark.parametrize("url,parameter", [
    ("/api/v1/penalties?since=2026-13-01", "since"), ("/api/v1/penalties?until=tomorrow", "until"),
    ("/api/v1/penalties?since=2026-09-01&until=2026-08-01", "until"), ("/api/v1/penalties?severity=grave", "severity"),
    ("/api/v1/penalties?banned=yes", "banned"), ("/api/v1/penalties?province=3", "province"),
    ("/api/v1/penalties?authority=", "authority"), ("/api/v1/penalties?kind=unit", "kind"),
    ("/api/v1/bans?kind=firm", "kind"), ("/api/v1/bans?severity=serious", "severity"),
    ("/api/v1/bans?page=0", "page"), ("/api/v1/bans?kind=unit&kind=person", "kind"),
])
def test_a_bad_api_parameter_is_a_400_naming_it(client, registry_data, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == parameter and response.json["error"]["message"].startswith(parameter)


def test_the_openapi_document_describes_both_lists(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    penalties = {p["name"] for p in paths["/penalties"]["get"]["parameters"]}
    assert penalties == {"page", "per_page", "province", "authority", "since", "until", "severity", "banned"}
    assert {p["name"] for p in paths["/bans"]["get"]["parameters"]} == {"page", "per_page", "province", "kind"}
    assert "429" not in paths["/bans"]["get"]["responses"]  # no text search: not limited per address


def test_a_listed_decision_names_its_subject_exactly_when_the_profile_would(app, db, person_ban):
    """`penalty_subject_listed` (the lists' cheap clause) says what `unit_listed` and `person_listed` say, for every
    decision shown in public, a person marked non-disclosed among them."""
    from datetime import date

    from sqlalchemy import or_

    from registry.models import Unit
    from registry.visibility import ban_public, penalty_public, penalty_subject_listed, person_listed, unit_listed

    db.session.scalar(select(Person).where(Person.name == "李四")).non_disclosure_reason = "依法不予公开"
    db.session.commit()
    for day in (date(2026, 11, 26), date(2028, 1, 15)):
        shown = or_(penalty_public(day), ban_public(day))
        named = set(db.session.scalars(select(Penalty.decision_number).where(shown, penalty_subject_listed())))
        listed_units = select(Unit.id).where(unit_listed(day))
        listed_persons = select(Person.id).where(person_listed(day))
        expected = set(db.session.scalars(select(Penalty.decision_number).where(
            shown, or_(Penalty.unit_id.in_(listed_units), Penalty.person_id.in_(listed_persons)))))
        assert named == expected, day
        assert "晋环罚〔2026〕6号" not in named  # 李四's, now non-disclosed
    assert len(named) >= 2
