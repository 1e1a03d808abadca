"""`/healthz` for the load balancer, a 503 (not a 500) while the database does not answer, and the
client's address behind TRUSTED_PROXIES reverse proxies (Werkzeug's ProxyFix; none trusted by default)."""
import logging
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, select, text, update
from sqlalchemy.pool import NullPool

from public_portal.forms import form_started_token
from registry.access import SYSTEM
from registry.app import create_app
from registry.extensions import db as _db
from registry.models import KeyFingerprint, LoginAttempt, RateLimitHit
from registry.services.accounts import create_account
from tests.conftest import TEST_KEYS
from tests.portal.conftest import contract, registry_data  # noqa: F401  (the shared data set)
from tests.portal.test_complaints import DESCRIPTION

PROXY, CLIENT, SPOOFED = "10.0.0.2", "203.0.113.7", "198.51.100.66"


@contextmanager
def another_app(config: dict):
    """A second app (another worker or server), its connections closed at the end."""
    app = create_app(config)
    try:
        yield app
    finally:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_healthz_answers_200_while_the_database_answers_with_this_servers_keys(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_records_other_keys(client, db):
    db.session.execute(update(KeyFingerprint).where(KeyFingerprint.name == "ID_NUMBER_KEY")
                       .values(fingerprint="0" * 64))
    db.session.commit()
    response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (503, "keys do not match the database's "
                                                                           "fingerprints\n")


def test_while_the_database_does_not_answer_every_page_is_a_503_without_a_traceback(tmp_path, caplog):
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/registry?connect_timeout=2"  # nothing listens on 1
    with caplog.at_level(logging.WARNING), another_app({**TEST_KEYS, "SQLALCHEMY_DATABASE_URI": unreachable,
                                                        "TESTING": False, "SEARCH_INDEX_DIR": str(tmp_path / "ix")}) as app:
        client = app.test_client()
        answers = {path: client.get(path) for path in ("/healthz", "/", "/search?q=苏净", "/api/v1/units")}
    assert answers["/healthz"].status_code == 503
    assert answers["/healthz"].get_data(as_text=True) == "database unavailable\n"
    for path in ("/", "/search?q=苏净", "/api/v1/units"):
        assert answers[path].status_code == 503, path
    assert "系统暂时无法连接数据库" in answers["/"].get_data(as_text=True)
    assert answers["/api/v1/units"].json["error"]["status"] == 503
    assert "Traceback" not in caplog.text
    assert "the database does not answer (OperationalError)" in caplog.text


def test_pages_are_answered_after_the_server_ends_every_pooled_connection(client):
    """PostgreSQL: a pooled connection the server ended (a restart, a failover) is never handed out: the pool
    discards it and the page is answered on a new one, without the round trip of a ping."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's connections are to a file")
    pages = ("/api/v1/units", "/search?q=苏净", "/")
    assert [client.get(page).status_code for page in pages] == [200] * 3
    _db.session.remove()
    outside = create_engine(_db.engine.url, poolclass=NullPool)  # a connection of no pool of the app's
    with outside.connect() as connection:
        ended = connection.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                        " WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    outside.dispose()
    assert ended >= 1
    discarded = []

    def note(_dbapi_connection, _record, error):
        discarded.append(error)

    event.listen(_db.engine, "invalidate", note)
    try:
        assert [client.get(page).status_code for page in pages * 2] == [200] * 6
    finally:
        event.remove(_db.engine, "invalidate", note)
    assert discarded, "no ended connection was met"


@pytest.fixture
def official(app):
    return create_account(SYSTEM, username="official", password="Official-Pass-2026!", role="admin",
                          display_name="部管理员")


def failed_login(client, forwarded_for: str) -> str:
    client.post("/login", data={"username": "official", "password": "not the password at all"},
                headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": PROXY})
    return _db.session.scalars(select(LoginAttempt.ip).order_by(LoginAttempt.id.desc())).first()


def test_with_no_proxy_trusted_a_spoofed_x_forwarded_for_is_ignored(app, client, official):
    assert failed_login(client, SPOOFED) == PROXY


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_clients(app_config, official):
    with another_app({**app_config, "TRUSTED_PROXIES": 1}) as app:
        client = app.test_client()
        assert failed_login(client, CLIENT) == CLIENT
        # a client that sends its own X-Forwarded-For: the proxy appends the address it saw, and only that counts
        assert failed_login(client, f"{SPOOFED}, {CLIENT}") == CLIENT


def file_complaint(client, forwarded_for: str):
    """File a complaint through the proxy: 303 to the receipt when filed, 400 when refused."""
    return client.post("/projects/SU-1/complaints", headers={"X-Forwarded-For": forwarded_for},
                       environ_base={"REMOTE_ADDR": PROXY},
                       data={"description": DESCRIPTION, "website": "", "started": form_started_token()})


def test_the_complaint_limit_counts_the_clients_behind_a_trusted_proxy_and_spoofing_does_not_escape_it(
        app, app_config, registry_data):
    app.config.update(COMPLAINTS_PER_ADDRESS_PER_HOUR=1, COMPLAINT_MIN_FILL_SECONDS=0)
    untrusted = app.test_client()
    assert file_complaint(untrusted, "198.51.100.1").status_code == 303
    assert file_complaint(untrusted, "198.51.100.2").status_code == 400  # the same address: the proxy's
    with another_app({**app_config, "TRUSTED_PROXIES": 1, "COMPLAINTS_PER_ADDRESS_PER_HOUR": 1,
                      "COMPLAINT_MIN_FILL_SECONDS": 0}) as proxied:
        behind = proxied.test_client()
        assert file_complaint(behind, "198.51.100.3").status_code == 303
        assert file_complaint(behind, "198.51.100.4").status_code == 303  # two visitors, one allowance each
        assert file_complaint(behind, "198.51.100.4").status_code == 400
    assert len(_db.session.scalars(select(RateLimitHit)).all()) == 3
