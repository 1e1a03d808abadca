"""No N+1: a firm with 2,000 projects renders its profile (key staff included), and its API answer, in the same
small number of SQL statements as a firm with 2, and so does the page of a person with a role on each (counted
with a `before_cursor_execute` listener on the engine), on SQLite and on PostgreSQL."""
from contextlib import contextmanager

from sqlalchemy import event

from registry.extensions import db
from tests.factories import (
    complaint_record, create, make_id_number, make_uscc, person_record, project_record, review_record, unit_record,
)

BIG, SMALL = make_uscc("370200", 901), make_uscc("370200", 902)
ENGINEER = make_id_number("370202", "19840312", 903)
SMALL_ENGINEER = make_id_number("370202", "19850312", 904)
FORMER = make_id_number("370202", "19860312", 905)


def firm_with_projects(code: str, name: str, count: int, prefix: str) -> list[dict]:
    records = [unit_record(code, name=name)]
    engineer = ENGINEER if code == BIG else SMALL_ENGINEER
    records.append(person_record(code, engineer, name="孙工程师" if code == BIG else "钱工程师"))
    if code == SMALL:  # a former member of staff, still named on the projects of their time
        records.append(person_record(code, FORMER, name="周技术员", employed_since="2020-01-01",
                                     employed_until="2024-12-31"))
    for n in range(count):
        ref = f"{prefix}-{n}"
        people = [{"id_number": engineer, "role": "responsible_manager"}]
        if code == SMALL:
            people.append({"id_number": FORMER, "role": "other_responsible"})
        records.append(project_record(code, ref, people=people))
        records.append(review_record(ref, 1, n % 3 != 0, reviewed_on=f"{2020 + n % 6}-07-01"))
        if n % 50 == 0:
            records.append(complaint_record(ref, f"C-{ref}", status="substantiated"))
    return records


@contextmanager
def counting():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_for(client, url: str) -> int:
    client.get(url)  # warm up: the search index opens, jieba loads
    with counting() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_profiles_and_lists_need_the_same_statements_for_2000_projects_as_for_2(app, client):
    create(*firm_with_projects(BIG, "青岛大型修复集团有限公司", 2000, "BIG"))
    create(*firm_with_projects(SMALL, "青岛小型修复有限公司", 2, "SML"))
    for template in ("/units/{code}", "/api/v1/units/{code}", "/units/{code}?projects_page=3&reviews_page=2",
                     "/api/v1/units/{code}?projects_page=40&reviews_page=7"):
        big = statements_for(client, template.format(code=BIG))
        small = statements_for(client, template.format(code=SMALL))
        # (6: the rates, their periods and the outcomes by year are read as kept, not counted, the outcomes by
        # year with the firm; neither firm has a penalty, nor ever spoke to a record, so neither reads its
        # penalties nor its statements on its rows: 10 statements, then 9, before)
        assert big == small and big <= 6, (template, big, small)
    # a firm with no finding, review or project kept reads none of them: three statements fewer (its key staff
    # are read as any firm's)
    bare = make_uscc("370200", 906)
    create(unit_record(bare, name="青岛新设修复有限公司"),
           person_record(bare, make_id_number("370202", "19870312", 906), name="吴工程师"))
    assert statements_for(client, f"/units/{bare}") == statements_for(client, f"/units/{SMALL}") - 3
    # (17 on PostgreSQL, 15 before the hits said why they were found: the matched projects of a page of hits are
    # read in a fixed few statements, never one per hit)
    searched = statements_for(client, "/search?q=青岛")
    assert searched <= 17, searched
    assert statements_for(client, "/api/v1/units?per_page=100") <= 15
    engineer = client.get("/api/v1/persons?q=孙工程师").json["items"][0]["public_id"]
    small_engineer = client.get("/api/v1/persons?q=钱工程师").json["items"][0]["public_id"]
    for template in ("/persons/{id}", "/api/v1/persons/{id}", "/persons/{id}?roles_page=3"):
        big = statements_for(client, template.format(id=engineer))
        small = statements_for(client, template.format(id=small_engineer))
        assert big == small and big <= 12, (template, big, small)
    staff = client.get(f"/api/v1/units/{BIG}").json["staff"]
    assert [(m["name"], m["current"], m["project_count"], m["roles"][0]["project_count"],
             len(m["roles"][0]["latest_projects"])) for m in staff] == [("孙工程师", True, 2000, 2000, 3)]
    staff = client.get(f"/api/v1/units/{SMALL}").json["staff"]
    assert [(m["name"], m["current"], m["to"]) for m in staff] == [("钱工程师", True, None),
                                                                  ("周技术员", False, "2024-12-31")]
    person = client.get(f"/api/v1/persons/{engineer}").json
    assert person["roles_total"] == 2000 and len(person["roles"]) == 50
    assert person["roles_by_role"] == [{"role": "responsible_manager", "project_count": 2000}]
    text = client.get(f"/units/{BIG}").get_data(as_text=True)
    assert "1333/2000 (66.7%)" in text  # n % 3 != 0 passed: 1,333 of 2,000
    assert "共 2,000 个项目" in text and "共 2,000 条评审记录" in text
    latest = text[text.index("<h3>评审记录（最新的在前）</h3>"):text.index("四、行政处罚情况信息")]
    assert latest.count("<tr><td data-label=") == 50
    answer = client.get(f"/api/v1/units/{BIG}").json
    assert answer["project_count"] == answer["projects_total"] == answer["reviews_total"] == 2000
    assert len(answer["projects"]) == len(answer["reviews"]) == answer["per_page"] == 50
