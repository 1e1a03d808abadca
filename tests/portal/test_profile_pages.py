"""A large firm's profile, a page at a time: its projects and its review outcomes are each listed 50 a page with
their totals, on the page and in the API; the counts by year agree with a count over the same records; a page
link keeps the other list's page and the language; bad page parameters get a 400 in the API; no full ID number
appears on any page of either list."""
import re
from collections import Counter

import pytest

from tests.factories import (
    complaint_record, create, make_id_number, make_uscc, person_record, project_record, review_record, unit_record,
)

FIRM = make_uscc("370200", 951)
ENGINEER = make_id_number("370202", "19840312", 952)
PROJECTS = 120  # three pages of projects
SECRET_PROJECT = "PG-SECRET"  # withheld by law: neither it nor its review outcome is public


def firm_records() -> list[dict]:
    """120 public projects completed on distinct days, a non-public one, and 1-2 review rounds each over six
    years (some failed), an engineer on every project, and a substantiated finding on every 25th project."""
    records = [unit_record(FIRM, name="青岛分页测试修复集团有限公司"),
               person_record(FIRM, ENGINEER, name="钱工程师")]
    for n in range(PROJECTS):
        ref = f"PG-{n:03d}"
        records.append(project_record(FIRM, ref, completed_on=f"{2019 + n % 6}-03-{1 + n % 28:02d}",
                                      contract_deadline="2026-12-31",
                                      people=[{"id_number": ENGINEER, "role": "responsible_manager"}]))
        records.append(review_record(ref, 1, n % 4 != 0, reviewed_on=f"{2019 + n % 6}-05-{1 + n % 28:02d}"))
        if n % 4 == 0:
            records.append(review_record(ref, 2, n % 8 != 0, reviewed_on=f"{2019 + n % 6}-09-{1 + n % 28:02d}"))
        if n % 25 == 0:
            records.append(complaint_record(ref, f"C-{ref}", status="substantiated"))
    records.append(project_record(FIRM, SECRET_PROJECT, non_disclosed={"reason": "涉及国家秘密"}))
    records.append(review_record(SECRET_PROJECT, 1, False, reviewed_on="2021-01-05"))
    return records


@pytest.fixture
def firm(app):
    records = firm_records()
    create(*records)
    return records


def expected_projects(records) -> list[str]:
    """The public projects' refs in the profile's order: latest completion first."""
    projects = [r for r in records if r["kind"] == "project" and r["ref"] != SECRET_PROJECT]
    return [p["ref"] for p in sorted(projects, key=lambda p: (p["completed_on"], p["ref"]), reverse=True)]


def public_reviews(records) -> list[dict]:
    return [r for r in records if r["kind"] == "review" and r["project_ref"] != SECRET_PROJECT]


def expected_years(records) -> dict[int, tuple[int, int]]:
    """Public review outcomes (every round) passed and not passed per year, counted in Python."""
    passed, failed = Counter(), Counter()
    for r in public_reviews(records):
        (passed if r["passed"] else failed)[int(r["reviewed_on"][:4])] += 1
    return {year: (passed[year], failed[year]) for year in sorted(passed.keys() | failed.keys())}


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def section(page: str, heading: str, end: str) -> str:
    return page[page.index(heading):page.index(end)]


def test_the_api_pages_both_lists_with_their_totals_and_counts_by_year(client, firm):
    refs = expected_projects(firm)
    reviews = public_reviews(firm)
    first = client.get(f"/api/v1/units/{FIRM}").json
    assert (first["projects_total"], first["reviews_total"], first["per_page"]) == (PROJECTS, len(reviews), 50)
    assert first["project_count"] == PROJECTS and (first["projects_page"], first["reviews_page"]) == (1, 1)
    assert [p["ref"] for p in first["projects"]] == refs[:50]
    third = client.get(f"/api/v1/units/{FIRM}?projects_page=3&reviews_page=2").json
    assert [p["ref"] for p in third["projects"]] == refs[100:120]
    assert (third["projects_page"], third["reviews_page"]) == (3, 2)
    flagged = {p["ref"] for p in third["projects"] if p["verified_false_performance"]}
    assert flagged == {ref for ref in refs[100:120] if int(ref[3:]) % 25 == 0}
    # every review outcome once, newest first, across the pages
    listed = []
    for number in range(1, 5):
        listed += client.get(f"/api/v1/units/{FIRM}?reviews_page={number}").json["reviews"]
    assert len(listed) == len(reviews)
    assert [r["reviewed_on"] for r in listed] == sorted((r["reviewed_on"] for r in reviews), reverse=True)
    assert SECRET_PROJECT not in str(listed)
    years = {y["year"]: (y["passed"], y["not_passed"]) for y in first["reviews_by_year"]}
    assert years == expected_years(firm)
    past = client.get(f"/api/v1/units/{FIRM}?projects_page=9").json
    assert past["projects"] == [] and past["projects_total"] == PROJECTS and len(past["reviews"]) == 50


BAD_PARAMETERS = [
    ("page=2", "page"), ("per_page=100", "per_page"), ("projects_page=0", "projects_page"),
    ("reviews_page=abc", "reviews_page"), ("projects_page=100000", "projects_page"),
    ("reviews_page=1&reviews_page=2", "reviews_page"), ("lang=en", "lang"),
]


def test_bad_profile_parameters_get_a_400_naming_the_parameter_and_a_person_takes_none(client, firm):
    for query, parameter in BAD_PARAMETERS:
        response = client.get(f"/api/v1/units/{FIRM}?{query}")
        assert response.status_code == 400 and response.json["error"]["parameter"] == parameter, query
    public_id = client.get("/api/v1/persons?q=钱工程师").json["items"][0]["public_id"]
    assert client.get(f"/api/v1/persons/{public_id}").status_code == 200
    response = client.get(f"/api/v1/persons/{public_id}?foo=1")
    assert response.status_code == 400 and response.json["error"]["parameter"] == "foo"


def test_the_page_lists_50_of_each_with_totals_and_links_that_keep_the_other_list_and_the_language(client, firm):
    refs = expected_projects(firm)
    reviews = len(public_reviews(firm))
    page = text(client, f"/units/{FIRM}?projects_page=2&reviews_page=3&lang=en")
    projects = section(page, 'id="projects"', 'id="reviews"')
    assert f"{PROJECTS} public projects in all" in projects and "Page 2 of 3" in projects
    assert re.findall(r'href="/projects/(PG-\d+)"', projects) == refs[50:100]
    links = dict((rel, href) for href, rel in re.findall(r'href="([^"]+)" rel="(prev|next)"', projects))
    assert links["next"] == f"/units/{FIRM}?projects_page=3&amp;reviews_page=3&amp;lang=en#projects"
    assert links["prev"] == f"/units/{FIRM}?projects_page=1&amp;reviews_page=3&amp;lang=en#projects"
    outcomes = section(page, 'id="reviews"', "4. Administrative penalties")
    assert f"{reviews} public review outcomes in all" in outcomes and "Page 3 of 3" in outcomes
    assert 'href="/units/%s?projects_page=2&amp;reviews_page=2&amp;lang=en#reviews" rel="prev"' % FIRM in outcomes
    assert 'rel="next"' not in outcomes
    listed = outcomes[outcomes.index("Review outcomes, newest first"):]
    assert listed.count('<tr><td data-label="Reviewed on">20') == reviews - 100  # the last page (rows start with
    # the review date)
    assert SECRET_PROJECT not in page


def test_the_chinese_page_shows_totals_and_the_year_table_from_sql(client, firm):
    page = text(client, f"/units/{FIRM}")
    assert f"共 {PROJECTS} 个项目" in page and "第1页，共3页" in page
    table = section(page, "<th>年度</th>", "评审记录（最新的在前）")
    rows = re.findall(r"<tr><td>(\d{4})</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td></tr>", table)
    assert {int(y): (int(p), int(f)) for y, p, f in rows} == expected_years(firm)


def test_a_page_past_the_end_says_so(client, firm):
    page = text(client, f"/units/{FIRM}?projects_page=7")
    assert "第7页超出了列表的范围（共3页）" in page
    assert f'href="/units/{FIRM}?projects_page=1#projects"' in page
    assert "无公开的项目业绩" not in page and '<tr><td data-label="评审日期">20' in page  # the reviews still list
    # their first page


def test_no_full_id_number_on_any_page_of_either_list(client, firm):
    public_id = client.get("/api/v1/persons?q=钱工程师").json["items"][0]["public_id"]
    urls = [f"/units/{FIRM}?projects_page={n}&reviews_page={n}" for n in (1, 2, 3, 4)]
    urls += [f"/api/v1/units/{FIRM}?projects_page={n}&reviews_page={n}" for n in (1, 2, 3, 4)]
    urls += [f"/persons/{public_id}", f"/api/v1/persons/{public_id}"]
    for url in urls:
        body = text(client, url)
        assert ENGINEER not in body and ENGINEER[6:14] not in body, url
    assert ENGINEER[:6] + "********" + ENGINEER[-4:] in text(client, f"/persons/{public_id}")
