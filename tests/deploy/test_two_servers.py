"""The runbook (docs/deploy.md) run as written: two gunicorn servers, each with its own instance
folder (as two hosts would have), on one PostgreSQL, no proxy in front. The second server refuses to start until
it is given the first one's keys; then a write on either is read on the other, with the session and the CSRF
token the other one issued. Migrations run from two hosts at once: the second waits and does nothing."""
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import ROOT
from tests.conftest import POSTGRES_URL, _psycopg, _with_database
from tests.live_server import free_port

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="several servers share one PostgreSQL (DATABASE_URL)")

ADMIN_PASSWORD = "Deploy-Admin-2026!"
REGULATOR_PASSWORD = "Deploy-Regulator-2026!"


def bin_dir() -> Path:
    return Path(sys.executable).parent


@pytest.fixture
def empty_database():
    """A new, empty PostgreSQL database, as the operator creates it (`createdb registry`)."""
    admin = sa.create_engine(_psycopg(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"registry_deploy_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" ENCODING UTF8 TEMPLATE template0')
    try:
        yield _with_database(POSTGRES_URL, name).replace("postgresql+psycopg://", "postgresql://")
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def host(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """One host's environment: the runbook's variables, its own instance folder, no key given."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("SECRET_KEY", "ID_NUMBER_KEY", "REGISTRY_PRODUCTION", "SEARCH_INDEX_DIR")}
    return {**env, "DATABASE_URL": database_url, "REGISTRY_INSTANCE_PATH": str(instance), "FLASK_APP": "wsgi:app",
            **extra}


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir() / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)


class Server:
    """`gunicorn -c gunicorn.conf.py wsgi:app` on 127.0.0.1, as the runbook starts it."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = open(log, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(bin_dir() / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": "2"},
            stdout=self.log, stderr=subprocess.STDOUT)

    def healthy(self, within: float = 150) -> bool:  # generous: a loaded machine starts slowly
        """Whether /healthz answers 200 before `within` seconds pass, or the server ends first."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        return False

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        self.log.close()


class Browser:
    """One browser: a cookie jar for 127.0.0.1 (cookies ignore the port, so both servers get the same session)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=30) as response:
            return response.read().decode()

    def post(self, url: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(urllib.request.Request(url, data=data), timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def regulator(username: str, token: str) -> dict[str, str]:
    return {"csrf_token": token, "username": username, "display_name": "王监管", "authority_name": "青岛市生态环境局",
            "division_code": "370200", "email": "", "password": REGULATOR_PASSWORD, "confirm": REGULATOR_PASSWORD}


def test_two_servers_on_one_postgresql_share_keys_records_sessions_and_csrf_tokens(empty_database, tmp_path):
    one, two = tmp_path / "host-one" / "instance", tmp_path / "host-two" / "instance"
    env_one, env_two = host(empty_database, one), host(empty_database, two)
    # host one: the schema, its keys (generated: the database is empty), the administrator, the server
    for command in (("db", "upgrade"),
                    ("accounts", "create-admin", "--username", "admin", "--name", "部管理员",
                     "--password", ADMIN_PASSWORD)):
        done = flask(env_one, *command)
        assert done.returncode == 0, done.stderr[-2000:]
    assert {path.name for path in one.iterdir()} >= {"secret_key", "id_number_key"}
    servers = [Server(env_one, tmp_path / "one.log")]
    try:
        assert servers[0].healthy(), servers[0].output()[-3000:]
        # host two, freshly cloned: no keys, and it will not make its own over a database that holds records
        refused = Server(env_two, tmp_path / "two-refused.log")
        assert not refused.healthy(within=60)
        refused.stop()
        assert refused.process.returncode != 0
        assert "will not generate one" in refused.output() and "copy instance/secret_key" in refused.output()
        assert not (two / "id_number_key").exists()
        # the runbook: copy both keys from host one (mode 0600), then start
        two.mkdir(parents=True, exist_ok=True)
        for name in ("secret_key", "id_number_key"):
            shutil.copy(one / name, two / name)
            (two / name).chmod(0o600)
        assert flask(env_two, "registry", "check-keys").returncode == 0
        servers.append(Server(env_two, tmp_path / "two.log"))
        assert servers[1].healthy(), servers[1].output()[-3000:]
        first, second = servers[0].url, servers[1].url

        browser = Browser()
        status, _ = browser.post(first + "/login", {"csrf_token": csrf_token(browser.get(first + "/login")),
                                                    "username": "admin", "password": ADMIN_PASSWORD})
        assert status == 200  # followed the redirect to the administrator's page
        # a write on one server, read on the other with the session the first one issued
        token = csrf_token(browser.get(first + "/regulator/accounts"))
        status, _ = browser.post(first + "/regulator/accounts", regulator("qd-official", token))
        assert status == 200
        assert "qd-official" in browser.get(second + "/regulator/accounts")
        # a form of the first server, sent to the second: its CSRF token holds, and the write is read on the first
        status, _ = browser.post(second + "/regulator/accounts", regulator("jn-official", token))
        assert status == 200
        assert "jn-official" in browser.get(first + "/regulator/accounts")
        # the runbook's search commands on PostgreSQL
        reindexed = flask(env_two, "search", "reindex")
        assert reindexed.returncode == 0 and "indexed 0 documents" in reindexed.stdout, reindexed.stderr[-2000:]
        checked = flask(env_one, "search", "check")
        assert checked.returncode == 0 and "nothing to check" in checked.stdout
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        assert "Traceback" not in server.output()


def test_migrations_started_on_two_hosts_at_once_run_once_and_the_second_waits(empty_database, tmp_path):
    keys = {"SECRET_KEY": "shared-secret-key", "ID_NUMBER_KEY": "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U="}
    hosts = [host(empty_database, tmp_path / name, **keys) for name in ("one", "two")]
    upgrades = [subprocess.Popen([str(bin_dir() / "flask"), "db", "upgrade"], cwd=ROOT, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for env in hosts]
    outcomes = [upgrade.communicate(timeout=180) for upgrade in upgrades]
    assert [upgrade.returncode for upgrade in upgrades] == [0, 0], [err[-2000:] for _, err in outcomes]
    heads = flask(hosts[0], "db", "current")
    assert heads.returncode == 0 and "(head)" in heads.stdout
    engine = sa.create_engine(_psycopg(empty_database))
    with engine.connect() as connection:
        assert len(connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()) == 1
    engine.dispose()
