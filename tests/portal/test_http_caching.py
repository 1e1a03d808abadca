"""HTTP caching of the public pages and the API (public_portal/caching.py): a visitor's copy is revalidated with a
304 read from the generation row alone, until any write, an import or the Beijing day changes it; each language
has its own tag; nothing per visitor (a signed-in header, a form token) is ever public."""
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from public_portal.caching import REVALIDATED, last_modified
from registry.access import SYSTEM
from registry.extensions import db
from registry.generation import Generation
from registry.services.complaint_filing import PUBLIC, file_complaint
from registry.services.regulator_accounts import create_regulator
from tests.factories import create, login, unit_record
from tests.portal.conftest import ALL_FULL_ID_NUMBERS, LVYUAN, SUJING, WANG_ID

PUBLIC_CACHE = "public, max-age=60"
PASSWORD = "Regulator-Pass-2026!"
COMPLAINT = "该项目的修复效果评估报告中的检测数据与现场情况明显不符，请核查。"


@pytest.fixture
def pages(client, registry_data):
    """A public URL of every page and API answer that is revalidated from the generation. The first search
    builds the search index and applies the import's pending index changes (a write): done here, beforehand."""
    client.get("/search?q=苏净")
    return {"/": "portal.home", "/search?q=苏净": "portal.search", "/similar?industry=C26": "portal.similar",
            f"/units/{SUJING}": "portal.unit", f"/persons/{person_public_id()}": "portal.person",
            "/api/v1/units?q=苏净": "api.units", f"/api/v1/units/{SUJING}": "api.unit",
            "/api/v1/persons?q=王建国": "api.persons", f"/api/v1/persons/{person_public_id()}": "api.person",
            "/api/v1/projects?province=32": "api.projects", "/api/v1/openapi.json": "api.openapi",
            "/api/v1/penalties?severity=serious": "api.penalties", "/api/v1/bans?kind=unit": "api.bans",
            "/feeds/national.atom": "lists.national_feed", "/feeds/provinces/32.atom": "lists.province_feed",
            f"/feeds/units/{SUJING}.atom": "lists.unit_feed", f"/feeds/persons/{person_public_id()}.atom": "lists.person_feed",
            "/bans": "lists.bans", "/penalties?severity=serious": "lists.penalties", "/findings": "lists.findings",
            "/api/docs": "portal.api_docs"}


def person_public_id() -> str:
    from sqlalchemy import select

    from registry.models import Person

    return db.session.scalar(select(Person.public_id).where(Person.name == "王建国"))


def revalidate(client, url: str, response, **headers):
    return client.get(url, headers={"If-None-Match": response.headers["ETag"], **headers})


def test_every_public_answer_is_revalidated_with_a_304_until_a_write(app, client, pages):
    assert set(pages.values()) == REVALIDATED  # every revalidated endpoint is tried here
    first = {url: client.get(url) for url in pages}
    for url, response in first.items():
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == PUBLIC_CACHE, url
        assert re.fullmatch(r'W/"\d+\.\d{8}(\.(zh|en))?\.[0-9a-f]{8}"', response.headers["ETag"]), url
        assert "Cookie" in response.headers["Vary"], url
        again = revalidate(client, url, response)
        assert again.status_code == 304 and again.get_data() == b"", url
        assert again.headers["ETag"] == response.headers["ETag"] and again.headers["Cache-Control"] == PUBLIC_CACHE
    create(unit_record())  # an import
    for url, response in first.items():
        assert revalidate(client, url, response).status_code == 200, url


def test_a_service_write_and_the_day_change_each_make_a_new_generation(app, client, registry_data):
    url = f"/units/{SUJING}"
    before = client.get(url)
    from sqlalchemy import select

    from registry.models import Project
    ref = db.session.scalar(select(Project.ref).join(Project.unit).where(Project.unit.has(uscc=LVYUAN)).limit(1))
    file_complaint(PUBLIC, ref, COMPLAINT, address="192.0.2.1")  # the public's one write, through its service
    after_write = revalidate(client, url, before)
    assert after_write.status_code == 200 and after_write.headers["ETag"] != before.headers["ETag"]
    assert revalidate(client, url, after_write).status_code == 304
    app.config["TODAY"] = "2026-11-27"  # no write: publicity periods may end at midnight in Beijing
    next_day = revalidate(client, url, after_write)
    assert next_day.status_code == 200 and next_day.headers["ETag"] != after_write.headers["ETag"]


def test_the_304_reads_the_generation_row_and_no_other_table(app, client, pages):
    answers = {url: client.get(url) for url in pages}
    with driver_statements() as statements:
        for url, response in answers.items():
            assert revalidate(client, url, response).status_code == 304, url
    queries = [s for s in statements if s.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert len(queries) == len(pages)  # one statement a request
    assert all(re.search(r"\bFROM data_generation\b", query) and " JOIN " not in query for query in queries), queries


@contextmanager
def driver_statements() -> Iterator[list[str]]:
    """Every statement run while inside, as the drivers ran it: the generation is read on the driver's connection,
    around SQLAlchemy. Each connection checked out of any pool is traced (SQLite's trace callback; libpq's trace
    of the protocol on PostgreSQL, whose prepared statements are named by their text from the server), and so
    is every statement SQLAlchemy runs on a connection checked out before."""
    statements, sqlite_connections, traces = [], [], []

    def trace(dbapi_connection, _record, _proxy):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(statements.append)
            sqlite_connections.append(dbapi_connection)
        elif not any(traced is dbapi_connection for traced, _file in traces):
            from psycopg import pq  # PostgreSQL's driver: installed wherever the dialect is
            file = tempfile.TemporaryFile()
            dbapi_connection.pgconn.trace(file.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            traces.append((dbapi_connection, file))

    record = lambda _conn, _cursor, statement, *_args: statements.append(statement)  # noqa: E731
    event.listen(Pool, "checkout", trace)
    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Pool, "checkout", trace)
        event.remove(Engine, "before_cursor_execute", record)
        for connection in sqlite_connections:
            connection.set_trace_callback(None)
        for connection, file in traces:
            connection.pgconn.untrace()
            statements.extend(_traced_statements(connection, file))


def _traced_statements(connection, file) -> list[str]:
    """The statements a libpq trace shows the client sending: a simple Query's text, or the text of the prepared
    statement a Bind runs (read from the server's `pg_prepared_statements`)."""
    file.seek(0)
    messages = [line.split("\t") for line in file.read().decode().splitlines()]
    file.close()
    prepared = {}
    if any(source == "F" and message == "Bind" for source, _length, message, *_rest in messages):
        status = connection.info.transaction_status
        prepared = dict(connection.execute("SELECT name, statement FROM pg_prepared_statements").fetchall())
        if connection.info.transaction_status != status:
            connection.rollback()  # the connection as it was: the read began a transaction
    sent = []
    for source, _length, message, *rest in messages:
        if source == "F" and message == "Query":
            sent.append(rest[0].strip().strip('"'))
        elif source == "F" and message == "Bind":
            sent.append(prepared[rest[0].split()[1].strip('"')])
    return sent


def test_each_language_has_its_own_tag_and_the_api_is_the_same_in_both(app, client, registry_data):
    url = f"/units/{SUJING}"
    reader = app.test_client()  # a reader who chose English (the cookie `?lang=en` leaves)
    reader.set_cookie("lang", "en")
    chinese, english = client.get(url), reader.get(url)
    assert chinese.headers["ETag"] != english.headers["ETag"] and chinese.get_data() != english.get_data()
    assert revalidate(reader, url, chinese).status_code == 200  # never the other language's copy
    assert revalidate(reader, url, english).status_code == 304
    switch = client.get(f"{url}?lang=en")  # it sets the language cookie: only the browser may keep it
    assert switch.headers["Cache-Control"] == "private, max-age=60" and "lang=en" in switch.headers["Set-Cookie"]
    api = f"/api/v1/units/{SUJING}"
    assert reader.get(api).get_data() == app.test_client().get(api).get_data()
    assert reader.get(api).headers["ETag"] == app.test_client().get(api).headers["ETag"]


def test_if_modified_since_alone_is_answered_from_last_modified(app, client, pages):
    url = "/api/v1/units?q=苏净"
    answer = client.get(url)
    for _ in range(30):  # written within this very second: no date until it ends (see last_modified)
        if "Last-Modified" in answer.headers:
            break
        time.sleep(0.1)
        answer = client.get(url)
    stamp = answer.headers.get("Last-Modified")
    assert stamp is not None
    assert client.get(url, headers={"If-Modified-Since": stamp}).status_code == 304
    earlier = (answer.last_modified - timedelta(seconds=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200


def test_last_modified_waits_for_its_second_to_end():
    """A write later in the same second must not look older than a copy served before it."""
    generation = Generation(7, datetime(2026, 11, 26, 8, 0, 0, 300_000, tzinfo=UTC), datetime(2026, 11, 26).date())
    assert last_modified(generation, datetime(2026, 11, 26, 8, 0, 0, 900_000, tzinfo=UTC)) is None
    assert last_modified(generation, datetime(2026, 11, 26, 8, 0, 1, tzinfo=UTC)) == datetime(2026, 11, 26, 8, 0, 1,
                                                                                               tzinfo=UTC)
    next_day = Generation(7, generation.changed_at, datetime(2026, 11, 27).date())
    assert next_day.last_modified == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # 00:00 in Beijing


def test_the_complaint_form_and_receipts_are_never_public(app, client, registry_data):
    from sqlalchemy import select

    from registry.models import Project
    ref = db.session.scalar(select(Project.ref).where(Project.unit.has(uscc=LVYUAN)).limit(1))
    page = client.get(f"/projects/{ref}")
    assert page.status_code == 200 and 'name="started"' in page.get_data(as_text=True)  # the form token
    # the browser's own copy only (its back button shows the spent token); no shared cache, revalidated on reuse
    assert page.headers["Cache-Control"] == "private, no-cache" and "ETag" not in page.headers
    filed = client.post(f"/projects/{ref}/complaints", data={
        "description": COMPLAINT, "started": re.search(r'name="started"[^>]*value="([^"]+)"',
                                                        page.get_data(as_text=True)).group(1)})
    assert filed.headers["Cache-Control"] == "no-store"
    if filed.status_code == 303:
        receipt = client.get(filed.headers["Location"])
        assert receipt.status_code == 200 and receipt.headers["Cache-Control"] == "no-store"


def test_a_signed_in_visitor_gets_no_public_page_and_no_shortcut(app, client, registry_data):
    url = f"/units/{SUJING}"
    anonymous = client.get(url)
    create_regulator(SYSTEM, username="cache-official", display_name="缓存监管", division_code="370000",
                     authority_name="山东省生态环境厅", password=PASSWORD)
    login(client, "cache-official", PASSWORD)
    signed_in = revalidate(client, url, anonymous)
    assert signed_in.status_code == 200 and "ETag" not in signed_in.headers  # the page has a sign-out form
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/units?q=苏净").headers["Cache-Control"] == "no-store"
    assert client.get("/regulator/").headers["Cache-Control"] == "no-store"


def test_errors_redirects_and_posts_are_not_stored(app, client, registry_data):
    assert client.get("/units/NOT-A-CODE").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/units?per_page=x").headers["Cache-Control"] == "no-store"
    moved = client.get(f"/units/{SUJING.lower()}")
    assert moved.status_code == 301 and moved.headers["Cache-Control"] == "no-store"
    assert client.post("/").headers["Cache-Control"] == "no-store"  # 405


def test_no_full_id_number_in_any_header(app, client, pages):
    urls = [*pages, f"/search?q={WANG_ID}", f"/api/v1/persons?q={WANG_ID}", f"/persons/{WANG_ID}",
            f"/api/v1/persons/{WANG_ID}"]
    for url in urls:
        for response in (client.get(url), client.get(url, headers={"If-None-Match": 'W/"x"'})):
            headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
            assert not any(number in headers for number in ALL_FULL_ID_NUMBERS), (url, headers)
