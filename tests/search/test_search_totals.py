"""A search never pays for matches past its page (DESIGN §6): the API's `total_relation`, the search page's
"about N" / "more than N", and a page past the end, on the real index of each backend."""
import re

import pytest

from registry.queries import search as search_queries
from registry.search import backend, search_ids
from tests.factories import create, make_uscc, penalty_record, person_record, project_record, review_record, unit_record


@pytest.fixture
def qingdao_firms(registry_data):
    """25 listed firms whose names hold 青岛测试 (and nothing else does)."""
    for n in range(25):
        create(unit_record(make_uscc("370200", 300 + n), name=f"青岛测试修复{n:02d}有限公司", division_code="370202"))


def units(client, query: str) -> dict:
    response = client.get(f"/api/v1/units?{query}")
    assert response.status_code == 200, response.json
    return response.json


def test_a_relevance_search_stops_one_past_its_page_and_says_the_total_is_a_lower_bound(client, qingdao_firms):
    first = units(client, "q=青岛测试&per_page=10")
    assert (first["total"], first["total_relation"], len(first["items"])) == (11, "gte", 10)
    second = units(client, "q=青岛测试&per_page=10&page=2")
    assert (second["total"], second["total_relation"], len(second["items"])) == (21, "gte", 10)
    last = units(client, "q=青岛测试&per_page=10&page=3")  # asked for 31, found 25: exact
    assert (last["total"], last["total_relation"], len(last["items"])) == (25, "eq", 5)
    every = [item["uscc"] for page in (1, 2, 3) for item in units(client, f"q=青岛测试&per_page=10&page={page}")["items"]]
    assert len(set(every)) == 25 and every == [item["uscc"] for item in units(client, "q=青岛测试&per_page=30")["items"]]


def test_a_total_is_exact_without_a_text_query_or_when_the_query_found_fewer(client, qingdao_firms):
    assert units(client, "q=青岛测试&per_page=30")["total_relation"] == "eq"
    no_text = units(client, "province=37&per_page=5")
    assert no_text["total"] >= 25 and no_text["total_relation"] == "eq" and len(no_text["items"]) == 5
    filtered = units(client, "q=青岛测试&province=37&per_page=5")  # the SQL filter keeps all 25 candidates
    assert (filtered["total"], filtered["total_relation"]) == (6, "gte")


def test_another_sort_sorts_every_match_up_to_the_cap_and_says_when_the_cap_was_reached(client, qingdao_firms,
                                                                                     monkeypatch):
    by_name = units(client, "q=青岛测试&sort=name&per_page=5")
    assert (by_name["total"], by_name["total_relation"]) == (25, "eq")
    names = [item["name"] for item in units(client, "q=青岛测试&sort=name&per_page=30")["items"]]
    assert names == sorted(names) and len(names) == 25
    monkeypatch.setattr(search_queries, "SEARCH_RESULT_CAP", 10)  # a cap the 25 matches reach
    capped = units(client, "q=青岛测试&sort=name&per_page=5")
    assert (capped["total"], capped["total_relation"], len(capped["items"])) == (10, "gte", 5)


def test_a_person_search_stops_one_past_its_page_too(client, qingdao_firms):
    for n in range(4):
        create(person_record(make_uscc("370200", 300), name=f"欧阳测试{n}"))
    first = client.get("/api/v1/persons?q=欧阳测试&per_page=2").json
    assert (first["total"], first["total_relation"], len(first["items"])) == (3, "gte", 2)
    last = client.get("/api/v1/persons?q=欧阳测试&per_page=2&page=2").json
    assert (last["total"], last["total_relation"], len(last["items"])) == (4, "eq", 2)
    assert client.get("/api/v1/persons?per_page=2").json["total_relation"] == "eq"


def test_a_page_past_the_end_answers_empty_items_with_the_total(client, qingdao_firms):
    past = units(client, "q=青岛测试&per_page=10&page=9")
    assert (past["items"], past["total"], past["total_relation"], past["page"]) == ([], 25, "eq", 9)
    assert units(client, "q=青岛测试&sort=name&page=9")["items"] == []


def test_the_estimate_comes_from_document_frequencies_and_never_undercounts(app, qingdao_firms):
    assert len(search_ids("青岛测试", "unit", limit=100)) == 25  # (opens the index, as a search page does)
    estimate = backend().estimate("青岛测试", "unit")
    if estimate is not None:  # a backend may not be able to say (the base interface answers None)
        assert 25 <= estimate <= 60
        assert backend().estimate("不存在的词语", "unit") == 0
        # the frequencies count every kind's documents: capped by the kind's (3 listed persons)
        assert backend().estimate("青岛测试", "person") <= 3


def test_the_search_page_shows_about_n_or_more_than_n(client, qingdao_firms):
    page = client.get("/search?q=青岛测试").get_data(as_text=True)
    estimate = backend().estimate("青岛测试", "unit")
    if estimate is not None:
        assert f"找到约{estimate}家单位" in page and "以上" not in page
    else:
        assert "找到20家以上单位" in page
    # the index's figures cannot see a SQL filter: the page says only what it knows
    assert "找到20家以上单位" in client.get("/search?q=青岛测试&province=37").get_data(as_text=True)
    assert "共找到25家单位" in client.get("/search?q=青岛测试&page=2").get_data(as_text=True)
    english = client.get("/search?q=青岛测试&lang=en").get_data(as_text=True)
    assert (f"About {estimate} firms found." if estimate is not None else "More than 20 firms found.") in english


def test_the_search_page_without_banned_firms_shows_about_n_less_the_banned_firms_that_match(client, qingdao_firms):
    """Leaving out the few firms with a public penalty or an active ban, the page still estimates: the index's
    estimate less the left-out firms that match, as the search finds them among those firms alone."""
    assert len(search_ids("青岛测试", "unit", limit=100)) == 25  # (opens the index, as a search page does)
    estimate = backend().estimate("青岛测试", "unit")
    if estimate is None:
        pytest.skip("this backend gives no estimate")
    for n in range(3):
        create(penalty_record({"uscc": make_uscc("370200", 300 + n)}, ban={"until": "2029-12-31"}))
    page = client.get("/search?q=青岛测试&banned=false").get_data(as_text=True)
    assert f"找到约{estimate - 3}家单位" in page and "以上" not in page
    assert f"找到约{estimate}家单位" in client.get("/search?q=青岛测试").get_data(as_text=True)
    assert "共找到22家单位" in client.get("/search?q=青岛测试&banned=false&page=2").get_data(as_text=True)


def test_a_page_past_the_end_says_so_and_links_to_the_last_page(client, qingdao_firms):
    text = client.get("/search?q=青岛测试&page=9").get_data(as_text=True)
    assert "第9页超出结果范围：共2页" in text and "没有符合条件的单位" not in text
    assert re.search(r'href="/search\?q=%E9%9D%92%E5%B2%9B%E6%B5%8B%E8%AF%95&amp;page=2"', text)
    nothing = client.get("/search?q=不存在的公司名称&page=9").get_data(as_text=True)
    assert "没有符合条件的单位" in nothing and "超出结果范围" not in nothing
    english = client.get("/search?q=青岛测试&page=9&lang=en").get_data(as_text=True)
    assert "Page 9 is past the end of the results: there are 2 pages." in english


def test_the_similar_parcel_page_says_a_page_is_past_the_end(client, registry_data):
    text = client.get("/similar?industry=C25&page=9").get_data(as_text=True)
    assert "第9页超出结果范围：共1页" in text and "没有符合条件的公开项目" not in text
    assert 'href="/similar?industry=C25&amp;page=1"' in text


@pytest.mark.whoosh_only
def test_the_whoosh_estimate_counts_each_document_once_and_only_of_its_kind(app, qingdao_firms):
    # a short part begins many grams of one document (青岛 in every 4-gram of "青岛测试修复…"), and persons share
    # the name field: the estimate reads the postings and counts documents of the kind, not postings
    for n in range(3):
        create(person_record(make_uscc("370200", 300), name=f"青岛{n}"))
    search_ids("青岛", "unit")  # (opens the index, as a search page does)
    for text in ("青岛", "青岛测试", "修复"):  # (substrings: the jieba tier adds words apart, as in 测试修复)
        assert backend().estimate(text, "unit") == len(search_ids(text, "unit", limit=1000)), text
    assert backend().estimate("青岛", "person") == 3


@pytest.mark.whoosh_only
def test_the_whoosh_estimate_after_a_query_reads_its_prefix_walk_and_nothing_carries_over(app, qingdao_firms,
                                                                                         monkeypatch):
    """A short part's terms in the folded 4-grams (every 4-gram 青岛 begins) are walked once for a search page: its
    query walks them, and the estimate after it reads that walk and gives what a walk of its own gives. The next
    estimate and the next query walk again."""
    from whoosh import reading

    walks = []
    for reader_class in (reading.MultiReader, reading.SegmentReader):
        monkeypatch.setattr(reader_class, "iter_prefix", lambda self, field, prefix, walk=reader_class.iter_prefix:
                            walks.append((field, prefix)) or walk(self, field, prefix))
    found = search_ids("青岛", "unit", limit=1000)  # every tier, the folded text's too
    assert walks == [("folded4", "青岛")]
    after_query = backend().estimate("青岛", "unit")
    assert walks == [("folded4", "青岛")]
    assert backend().estimate("青岛", "unit") == after_query == len(found) == 25
    assert walks == [("folded4", "青岛")] * 2
    search_ids("青岛", "unit", limit=1000)
    assert walks == [("folded4", "青岛")] * 3


def test_a_parcel_search_without_a_query_ranks_firms_by_their_matching_projects(client, app):
    """As /similar ranks them: the firm with more projects on such parcels first, however many other projects a
    firm has (the old order, by all public projects, counted every project of every matching firm: 0.8 s a
    search at national scale); firms with none are not listed, and the total counts firms, not projects."""
    busy, specialist, other = (make_uscc("370200", 400 + n) for n in range(3))
    create(unit_record(busy, name="项目众多修复有限公司"), unit_record(specialist, name="电镀专长修复有限公司"),
           unit_record(other, name="无关修复有限公司"),
           *[project_record(busy, f"ZD-{n}", former_industry="C3360", area_m2=5000) for n in range(1)],
           *[project_record(busy, f"QT-{n}", former_industry="A0111", area_m2=5000) for n in range(6)],
           *[project_record(specialist, f"ZC-{n}", former_industry="C3360", area_m2=8000) for n in range(3)],
           project_record(other, "WG-1", former_industry="C2614", area_m2=5000))
    answer = units(client, "industry=C3360&min_area=1000&max_area=10000")
    assert [item["name"] for item in answer["items"]] == ["电镀专长修复有限公司", "项目众多修复有限公司"]
    assert (answer["total"], answer["total_relation"]) == (2, "eq")
    by_projects = units(client, "industry=C3360&min_area=1000&max_area=10000&sort=projects")
    assert [item["name"] for item in by_projects["items"]] == ["项目众多修复有限公司", "电镀专长修复有限公司"]
    assert units(client, "industry=C3360&min_area=1000&max_area=10000&province=11")["items"] == []


def test_a_parcel_search_among_a_provinces_firms_follows_the_firm_wherever_its_parcels_lie(client, app):
    """The API's `province` is the firm's: for a class the search reads the projects held under their firm's
    province (ix_project_parcel_firm_place), for a coarser code it probes the province's firms; both list the same
    firms, and a firm moved to another province is found under its new one with all its projects. A firm whose
    basic information is not public (its commitment not signed) is listed under none."""
    shandong, jiangsu, unsigned = make_uscc("370200", 410), make_uscc("320500", 411), make_uscc("370200", 412)
    create(unit_record(shandong, name="鲁籍修复有限公司", division_code="370202"),
           unit_record(jiangsu, name="苏籍修复有限公司", division_code="320506"),
           unit_record(unsigned, name="未签承诺修复有限公司", division_code="370202", signed=False),
           *[project_record(shandong, f"LJ-{n}", former_industry="C3360", area_m2=5000, division_code="320506")
             for n in range(2)],
           project_record(jiangsu, "SJ-1", former_industry="C3360", area_m2=5000, division_code="370202"),
           project_record(unsigned, "WQ-1", former_industry="C3360", area_m2=5000, division_code="370202"))

    def listed(province: str) -> dict[str, list]:
        return {code: [item["name"] for item in units(client, f"industry={code}&province={province}")["items"]]
                for code in ("C3360", "C33")}

    assert listed("37") == {"C3360": ["鲁籍修复有限公司"], "C33": ["鲁籍修复有限公司"]}
    assert listed("32") == {"C3360": ["苏籍修复有限公司"], "C33": ["苏籍修复有限公司"]}
    create(unit_record(shandong, name="鲁籍修复有限公司", division_code="320506"))  # the firm moves to Jiangsu
    assert listed("32") == {"C3360": ["鲁籍修复有限公司", "苏籍修复有限公司"],  # two matching projects first
                            "C33": ["鲁籍修复有限公司", "苏籍修复有限公司"]}
    assert listed("37") == {"C3360": [], "C33": []}


def test_similar_parcels_break_ties_by_first_pass_rate_on_every_page(app, registry_data):
    """Firms with as many matching projects are ordered by their first-pass rate on whichever page they fall: the
    rates are counted only for the firms a page can hold (those with at least as many as its last firm)."""
    from registry.queries.similar import similar_parcels

    records = []
    for n, (matching, passed) in enumerate([(3, 0), (2, 1), (2, 2), (2, 0), (2, None), (1, 2), (1, 1)]):
        uscc = make_uscc("370200", 500 + n)
        records.append(unit_record(uscc, name=f"平局排序修复{n}有限公司"))
        for k in range(matching):
            records.append(project_record(uscc, f"PJ-{n}-{k}", former_industry="C3399", area_m2=5000))
        if passed is not None:  # the first rounds of (up to) two projects, `passed` of them passed
            records += [review_record(f"PJ-{n}-{k}", passed=k < passed) for k in range(min(matching, 2))]
    create(*records)
    whole = [match.unit.name for match in similar_parcels("C3399", None, None, None, per_page=100).items]
    assert whole == [f"平局排序修复{n}有限公司" for n in (0, 2, 1, 3, 4, 5, 6)]
    paged = [match.unit.name for page in (1, 2, 3, 4)
             for match in similar_parcels("C3399", None, None, None, page=page, per_page=2).items]
    assert paged == whole
    assert similar_parcels("C3399", None, None, None, page=4, per_page=2).total == 7
