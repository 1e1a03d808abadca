"""No N+1: a firm with 500 projects renders its profile in the same, small number of SQL statements as a
firm with 5 (counted with a `before_cursor_execute` listener)."""
from contextlib import contextmanager

from sqlalchemy import event

from registry.extensions import db
from tests.factories import (
    complaint_record, create, make_id_number, make_uscc, person_record, project_record, review_record, unit_record,
)

BIG, SMALL = make_uscc("370200", 901), make_uscc("370200", 902)
ENGINEER = make_id_number("370202", "19840312", 903)


def firm_with_projects(code: str, name: str, count: int, prefix: str) -> list[dict]:
    records = [unit_record(code, name=name)]
    if code == BIG:
        records.append(person_record(code, ENGINEER, name="孙工程师"))
    for n in range(count):
        ref = f"{prefix}-{n}"
        people = [{"id_number": ENGINEER, "role": "responsible_manager"}] if code == BIG else []
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


def test_profiles_and_lists_need_the_same_statements_for_500_projects_as_for_5(app, client):
    create(*firm_with_projects(BIG, "青岛大型修复集团有限公司", 500, "BIG"))
    create(*firm_with_projects(SMALL, "青岛小型修复有限公司", 5, "SML"))
    for template in ("/units/{code}", "/api/v1/units/{code}"):
        big = statements_for(client, template.format(code=BIG))
        small = statements_for(client, template.format(code=SMALL))
        assert big == small and big <= 15, (template, big, small)
    assert statements_for(client, f"/units/{BIG}?page=3") == statements_for(client, f"/units/{BIG}")
    assert statements_for(client, "/search?q=青岛") <= 15
    assert statements_for(client, "/api/v1/units?per_page=100") <= 15
    engineer = client.get("/api/v1/persons?q=孙工程师").json["items"][0]["public_id"]
    assert statements_for(client, f"/persons/{engineer}") <= 12
    text = client.get(f"/units/{BIG}").get_data(as_text=True)
    assert "333/500 (66.6%)" in text  # n % 3 != 0 passed: 333 of 500
    assert "共500条评审记录，此处列出最近50条" in text
    latest = text[text.index("<h3>最近的评审记录</h3>"):text.index("四、行政处罚情况信息")]
    assert latest.count("<tr><td>") == 50
    assert client.get(f"/api/v1/units/{BIG}").json["project_count"] == 500
