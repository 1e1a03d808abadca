"""Logs. With every logger of the app at DEBUG (SQL statements and their parameters included),
captured by pytest and by a real file handler, and by gunicorn's access and error logs when the app is served:
wrong passwords, a registration, a staff member added and an invitation redeemed with ID numbers, a regulator's
lookups by full number and a reveal, visitors typing full numbers into search boxes and URLs, and a forced
error whose message holds a full number leave no full ID number and no password in any log line."""
import base64
import http.cookiejar
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import select

from registry.access import SYSTEM
from registry.extensions import db
from registry.models import AuditEvent
from registry.services.regulator_accounts import create_regulator
from tests.conftest import TEST_KEYS
from tests.factories import make_id_number, make_uscc, person_record
from tests.live_server import LiveServer
from tests.privacy.conftest import (
    REGULATOR_PASSWORD, STAFF_ID, WRONG_PASSWORDS, db_person_id, private_journeys,
)

def log_needles(secrets) -> list[str]:
    """Full numbers (either case of X), their hidden digits, and every password typed."""
    return sorted(secrets.id_needles() | secrets.passwords)


def visitor_probes(client, number: str) -> list[int]:
    """A visitor types a full ID number into the search boxes and URLs of the public site."""
    return [client.get(url).status_code for url in (
        f"/search?q={number}", f"/api/v1/persons?q={number}", f"/api/v1/units?q={number}", f"/persons/{number}",
        f"/units/{number}", f"/api/v1/persons/{number}", f"/projects/{number}")]


def import_with_a_bad_line(runner, tmp_path, secrets) -> str:
    """A regulator's bulk file: a new person, then a person of a firm that does not exist (refused)."""
    good, bad = make_id_number("370211", "19920202", 741), make_id_number("370211", "19930303", 742)
    secrets.id_numbers.update({good, bad})
    lines = [person_record("9137020035791357M0", good, name="导入测试员"),
             person_record(make_uscc("370200", 7402), bad, name="导入错误员")]
    bulk = tmp_path / "bulk.jsonl"
    bulk.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    result = runner.invoke(args=["registry", "import", str(bulk)])
    assert result.exit_code == 1 and "line 2" in result.output.lower()
    return result.output


def test_no_log_line_holds_a_full_id_number_or_a_password(app, secrets, runner, caplog, tmp_path):
    @app.route("/forced-error/<number>")
    def forced_error(number):  # a bug whose exception message carries the number it was working on
        raise RuntimeError(f"could not process {number}")

    log_file = tmp_path / "app.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")  # SQLAlchemy holds its own loggers at WARNING
    try:
        private_journeys(app, secrets)
        probes = visitor_probes(app.test_client(), STAFF_ID)
        app.config["PROPAGATE_EXCEPTIONS"] = False  # answer the forced error as production does
        failed = app.test_client().get(f"/forced-error/{STAFF_ID}")
        refused_import = import_with_a_bad_line(runner, tmp_path, secrets)
    finally:
        root.removeHandler(handler)
        handler.close()

    assert max(probes) < 500
    assert failed.status_code == 500 and STAFF_ID not in failed.get_data(as_text=True)
    written = log_file.read_text(encoding="utf-8")
    captured = caplog.text
    assert "Traceback" in written and "could not process 370202********7316" in written  # the error was logged
    assert "INSERT INTO person" in written  # the SQL of the journeys was logged, with its parameters
    leaks = secrets.in_text("log file", written, log_needles(secrets)) + \
        secrets.in_text("caplog", captured, log_needles(secrets)) + \
        secrets.in_text("import error", refused_import, log_needles(secrets))
    assert leaks == []
    print(f"\nlogs: {len(written.splitlines()) + len(captured.splitlines())} lines, "
          f"{len(written) + len(captured):,} characters scanned for {len(secrets.id_numbers)} ID numbers and "
          f"{len(secrets.passwords)} passwords; leaks: 0")


class Served(LiveServer):
    """The app under gunicorn on 127.0.0.1 over the test's database, its logs at DEBUG in files; a browser."""

    def __init__(self, app_config: dict, workdir: Path):
        self.access_log, self.error_log = workdir / "access.log", workdir / "error.log"
        env = {"SEARCH_INDEX_DIR": app_config["SEARCH_INDEX_DIR"], "SECRET_KEY": TEST_KEYS["SECRET_KEY"],
               "ID_NUMBER_KEY": base64.b64encode(TEST_KEYS["ID_NUMBER_KEY"]).decode()}
        logs = ("--access-logfile", str(self.access_log), "--error-logfile", str(self.error_log),
                "--log-level", "debug", "--capture-output")
        super().__init__(app_config["SQLALCHEMY_DATABASE_URI"], workdir, demo=False, env=env, gunicorn_args=logs,
                         workers=1)
        self.browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str, headers: dict | None = None) -> int:
        try:
            with self.browser.open(urllib.request.Request(self.url + path, headers=headers or {}), timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def post_form(self, path: str, data: dict, form_page: str | None = None) -> int:
        """Submit a form to `path` with the CSRF token of the page that shows it (`path` itself by default)."""
        with self.browser.open(self.url + (form_page or path), timeout=10) as response:
            page = response.read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        try:
            with self.browser.open(self.url + path, data=body, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code



def test_gunicorns_access_and_error_logs_hold_no_full_id_number_or_password(app, app_config, secrets, tmp_path):
    secrets.passwords.update([REGULATOR_PASSWORD, *WRONG_PASSWORDS])
    create_regulator(SYSTEM, username="served-regulator", display_name="隐私监管员", division_code="370200",
                     authority_name="青岛市生态环境局", password=REGULATOR_PASSWORD)
    lin = "370202198403120458"  # in the contract example: a person of a Qingdao firm
    server = Served(app_config, tmp_path)
    try:
        statuses = [server.post_form("/login", {"username": "served-regulator", "password": wrong})
                    for wrong in WRONG_PASSWORDS[:2]]
        statuses += [server.get(f"/search?q={lin}"), server.get(f"/api/v1/persons?q={lin}"),
                     server.get(f"/persons/{lin}"), server.get("/", headers={"Referer": f"{server.url}/?q={lin}"}),
                     server.get(f"/search?q={urllib.parse.quote(f'王建国 {lin}')}"),
                     server.get(f"/search?q={urllib.parse.quote(f'林海燕,{lin}')}")]
        statuses.append(server.post_form("/login", {"username": "served-regulator", "password": REGULATOR_PASSWORD}))
        statuses.append(server.post_form("/regulator/persons/lookup", {"id_number": lin}))
        person = f"/regulator/persons/{db_person_id('林海燕')}"
        statuses.append(server.post_form(f"{person}/reveal", {}, form_page=person))
    finally:
        server.stop()

    assert statuses == [200, 200, 200, 200, 404, 200, 200, 200, 200, 200, 200], statuses
    db.session.rollback()
    done = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_account_id.is_not(None))).all()
    assert {"login", "person_looked_up_by_id_number", "id_number_revealed"} <= set(done)  # the server did them
    access, errors = server.access_log.read_text(encoding="utf-8"), server.error_log.read_text(encoding="utf-8")
    # the visitor's request was logged without its query (gunicorn.conf.py): what was looked up is not kept
    assert '"GET /search HTTP/1.1" 200' in access and "?q=" not in access
    assert "Booting worker" in errors  # the error log was written at DEBUG
    leaks = secrets.in_text("access log", access, log_needles(secrets)) + \
        secrets.in_text("error log", errors, log_needles(secrets))
    assert leaks == []
    print(f"\ngunicorn: {len(access.splitlines())} access and {len(errors.splitlines())} error log lines, "
          f"{len(access) + len(errors):,} characters scanned; leaks: 0")
