"""A newcomer's first ten minutes: the pieces of `make run` (migrate, load the demo, serve on 127.0.0.1) work on a
fresh database; the console lists a demo account for each role; the demo is refused on a production setting; and
the home page says in two sentences what the portal is and offers the search box."""
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.browser.conftest import DEMO_PASSWORD, DEMO_TOTP_SECRET, ROOT, check_page, docs_screenshot, login
from tests.live_server import app_env, flask_command, free_port

pytestmark = pytest.mark.browser

DEMO_ACCOUNTS = [("admin", "admin"), ("regulator", "regulator-shandong"), ("regulator", "regulator-qingdao"),
                 ("regulator", "regulator-suzhou"), ("unit", "913205001KM2U9AL7Q"), ("person", "person-demo")]


def count_units(database_url: str) -> int:
    from tests.conftest import _psycopg

    engine = sa.create_engine(_psycopg(database_url))
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT count(*) FROM unit"))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def newcomer_env(module_database):
    """A clone's environment: on SQLite a database file that does not exist yet, as after `git clone`."""
    database_url, workdir = module_database
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{workdir / 'fresh-clone.sqlite3'}"
    return app_env(database_url, workdir)


def test_make_run_migrates_loads_the_demo_prints_the_accounts_and_serves_it(newcomer_env):
    env = newcomer_env
    migrated = flask_command(env, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr

    refused = flask_command({**env, "REGISTRY_PRODUCTION": "1"}, "registry", "demo", "--firms", "6")
    assert refused.returncode == 1
    assert "演示数据不能在生产环境加载" in refused.stderr and "refused when REGISTRY_PRODUCTION=1" in refused.stderr
    assert count_units(env["DATABASE_URL"]) == 0  # nothing was written

    loaded = flask_command(env, "registry", "demo", "--firms", "6")
    assert loaded.returncode == 0, loaded.stderr
    assert f"demo accounts (password {DEMO_PASSWORD}):" in loaded.stdout
    assert f"TOTP key {DEMO_TOTP_SECRET}" in loaded.stdout  # the second factor of the demo's regulators
    for role, username in DEMO_ACCOUNTS:
        assert re.search(rf"^\s+{role}\s+{re.escape(username)}\s+\S", loaded.stdout, re.M), (role, loaded.stdout)
    assert count_units(env["DATABASE_URL"]) == 6 + 3  # and a firm in each demo regulator's area

    again = flask_command(env, "registry", "demo", "--firms", "6")  # `make run` a second time
    assert again.returncode == 0 and "the demo is already loaded" in again.stdout and "regulator-suzhou" in again.stdout

    port = free_port()
    log = Path(env["SEARCH_INDEX_DIR"]).parent / "flask-run.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "run", "--host", "127.0.0.1",
                                   "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        home = None
        for _ in range(600):  # up to two minutes: a loaded machine starts slowly
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    home = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert home is not None, log.read_text()
        assert '<html lang="zh-CN">' in home and 'id="q"' in home
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_home_page_says_what_the_portal_is_and_offers_the_search_box(page, demo_server):
    page.goto(demo_server.url + "/")
    check_page(page)
    intro = page.locator("main h1 + p").inner_text()
    sentences = [s for s in re.split(r"[。！？]", intro) if s.strip()]
    assert len(sentences) == 2, intro
    search = page.get_by_role("search")
    assert search.get_by_label("单位、个人、统一社会信用代码、项目、地块或业主").is_visible()
    assert search.get_by_role("button", name="查询").is_visible()
    docs_screenshot(page, "home")
    page.goto(demo_server.url + "/?lang=en")
    intro = page.locator("main h1 + p").inner_text()
    assert len([s for s in re.split(r"(?<=\.)\s", intro) if s.strip()]) == 2, intro


@pytest.mark.parametrize(("username", "lands_on", "heading"), [
    ("admin", "/regulator/", "监管工作台"),
    ("regulator-shandong", "/regulator/", "监管工作台"),
    ("regulator-qingdao", "/regulator/", "监管工作台"),
    ("regulator-suzhou", "/regulator/", "监管工作台"),
    ("913205001KM2U9AL7Q", "/practitioner/", "苏州苏净环境工程有限公司"),
    ("person-demo", "/practitioner/me", "李文"),
])
def test_each_printed_demo_account_signs_in_to_its_own_room(page, demo_server, username, lands_on, heading):
    login(page, demo_server.url, username)
    page.wait_for_url(demo_server.url + lands_on)
    check_page(page)
    assert heading in page.inner_text("h1")
