"""Requests and responses. A POST without its CSRF token is refused on every state-changing route
of the URL map and writes nothing; every response (pages, redirects, refusals, errors, the API, static files)
carries the security headers; back-office pages are never stored by a cache; hostile names are escaped on
every page that shows them; an unexpected exception shows a generic page with an error id and no traceback."""
import csv
import io
import json
import logging
import re

import pytest
from sqlalchemy import select

from public_portal.caching import FORM_PAGES, OWN_VALIDATORS, REVALIDATED
from registry.access import SYSTEM
from registry.app import create_app
from registry.extensions import db as _db
from registry.models import Person, Project, Unit
from registry.services.accounts import create_account
from tests import factories as f
from tests.factories import login
from tests.regulator.conftest import PASSWORD
from tests.security.conftest import ROLES, changed_tables, refused_for_csrf, relogin, snapshot, url
from tests.security.test_access_matrix import ACCESS, ROUTES, cell_body, walk

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


# -- CSRF ---------------------------------------------------------------------------------------------------

def allowed_role(access: str) -> str:
    """The first role that may send this request, so the refusal can only come from the missing token (the
    anonymous visitor for the code step of a sign-in, which no role reaches without a password just typed)."""
    return next((role for role in ROLES if ACCESS[access][role] == "ok"), "anonymous")


def sign_everyone_in(cast) -> None:
    """Every role's browser signs in while CSRF is still off (the helper posts the form without a page's token)."""
    for role in ROLES:
        cast.clients[role]  # noqa: B018 (signs in)


def test_every_state_changing_route_refuses_a_request_without_its_csrf_token(app, db, cast):
    """Each POST route of the URL map, as a role allowed to use it: without the token 400 and nothing written;
    the same request with the token is not refused for CSRF."""
    rules = sorted((r for r in app.url_map.iter_rules() if r.methods & STATE_CHANGING), key=lambda r: r.endpoint)
    assert {m for r in rules for m in r.methods & STATE_CHANGING} == {"POST"}  # the app uses no PUT/PATCH/DELETE
    sign_everyone_in(cast)
    app.config["WTF_CSRF_ENABLED"] = True
    checked = []
    for rule in rules:
        entry = ROUTES[rule.endpoint]
        role = allowed_role(entry[1])
        path, body = url(rule.endpoint, **entry[2](cast)), cell_body(entry, cast, role)
        before = snapshot(db)
        response = cast.clients[role].post(path, data=body)
        assert refused_for_csrf(response), (rule.endpoint, response.status_code)
        assert changed_tables(before, snapshot(db)) == [], rule.endpoint
        token = token_for(cast.clients[role])
        accepted = cast.clients[role].post(path, data={**cell_body(entry, cast, role), "csrf_token": token})
        assert not refused_for_csrf(accepted) and accepted.status_code < 500, rule.endpoint
        if rule.endpoint == "auth.logout":
            app.config["WTF_CSRF_ENABLED"] = False  # the helper signs in without a page's token
            relogin(cast, role)
            app.config["WTF_CSRF_ENABLED"] = True
        checked.append(rule.endpoint)
    print(f"\nCSRF: {len(checked)} state-changing routes refused without a token, accepted with one")
    assert len(checked) == len(rules) > 0


def token_for(client) -> str:
    """A CSRF token of this browser's session, as a page would embed it."""
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_state_changing_json_header_is_honoured(app, cast):
    """A script's POST may carry the token in X-CSRFToken instead of the form (DESIGN §7)."""
    regulator = cast.clients["regulator_x"]
    app.config["WTF_CSRF_ENABLED"] = True
    path = f"/regulator/persons/{cast.a.person}/reveal"
    assert refused_for_csrf(regulator.post(path))
    assert regulator.post(path, headers={"X-CSRFToken": token_for(regulator)}).status_code == 200


# -- headers on every response ------------------------------------------------------------------------------

def header_faults(response) -> list[str]:
    """What is missing from a response's security headers."""
    faults = []
    policy = dict((part.strip().split(" ", 1) + [""])[:2]
                  for part in response.headers.get("Content-Security-Policy", "").split(";") if part.strip())
    script = policy.get("script-src", policy.get("default-src", ""))
    if not script or "'unsafe-inline'" in script or "'unsafe-eval'" in script:
        faults.append(f"script-src {script!r}")
    if policy.get("frame-ancestors") != "'none'":
        faults.append("frame-ancestors")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        faults.append("nosniff")
    if response.headers.get("Referrer-Policy") != "strict-origin-when-cross-origin":
        faults.append("Referrer-Policy")
    return faults


def read(response):
    """The response with its body read and its file closed (a static file is streamed from disk)."""
    response.get_data()
    response.close()
    return response


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.I)
# Pages with personal data: the back office (staff lists, masked numbers with names, complainants, revealed
# numbers, account pages). GET /logout is a bare 405 with nothing to keep.
BACK_OFFICE = ("/practitioner", "/regulator", "/account", "/login")
# What a cache may do with an answer: every answer is one of these (public_portal/caching.py).
CACHE_CONTROLS = {"no-store", "public, max-age=60", "private, max-age=60", "no-cache", "private, no-cache"}


def caching_faults(cell_url: str, role: str, endpoint: str, response) -> list[str]:
    """What a cache could keep that it must not: only an anonymous visitor's 200 or 304 of a public endpoint is
    public; everything else (the back office, a signed-in visitor's page with its sign-out form, the complaint
    form for a signed-in visitor, receipts, errors, redirects, POST answers) is no-store; the complaint form page
    is an anonymous visitor's private, no-cache; the style sheets keep Flask's own no-cache."""
    control = response.headers.get("Cache-Control")
    public_endpoint = endpoint in REVALIDATED | OWN_VALIDATORS
    if control not in CACHE_CONTROLS:
        return [f"Cache-Control {control!r}"]
    if control == "no-cache" and endpoint != "static":
        return ["no-cache outside the static files"]
    if control == "private, no-cache":  # the browser's own copy of a form page, for its back button only
        return [] if endpoint in FORM_PAGES and role == "anonymous" and response.status_code == 200 else [
            "private, no-cache on a page that is not an anonymous visitor's form page"]
    if control.startswith(("public", "private")) and not (
            public_endpoint and role == "anonymous" and response.status_code in (200, 304)):
        return [f"{control} on a page that is not public"]
    if public_endpoint and role == "anonymous" and response.status_code == 200 and control == "no-store":
        return ["a public answer no cache may keep"]
    if cell_url.startswith(BACK_OFFICE) and control != "no-store":
        return ["a back-office answer a cache may keep"]
    return []


def test_every_response_of_the_matrix_carries_the_security_headers_and_the_right_caching(app, db, cast):
    """Every answer of the access matrix (every route of the URL map for every role: pages, redirects, 403s,
    404s, 405s, downloads, the API) has the headers; every answer under the back office (personal data: staff,
    ID numbers, complaints) has no-store; only anonymous answers of the public endpoints are public."""
    walked = walk(app, db, cast)
    extra = [(role, read(cast.clients[role].get(path))) for role in ("anonymous", "firm_a", "regulator_x")
             for path in ("/static/site.css", "/no/such/page", "/api/v1/units/NOT-A-CODE", "/api/v1/units?per_page=x",
                          "/practitioner/projects/P-000000000000", "/regulator/penalties/999999")]
    app.config["SEARCH_REQUESTS_PER_ADDRESS_PER_MINUTE"] = 0  # and the rate limit's 429s
    extra += [("anonymous", read(cast.clients["anonymous"].get(path))) for path in ("/search?q=青岛", "/api/v1/units?q=青岛")]
    responses = [(cell.url, cell.role, cell.rule, response) for cell, response in walked] + \
        [(r.request.path, role, endpoint_of(app, r), r) for role, r in extra]
    faults = [f"{role} {path} {r.status_code}: {fault}" for path, role, _, r in responses for fault in header_faults(r)]
    cached = [f"{role} {path} {r.status_code}: {fault}" for path, role, endpoint, r in responses
              for fault in caching_faults(path, role, endpoint, r)]
    inline = [f"{role} {path}" for path, role, _, r in responses
              if r.mimetype == "text/html" and INLINE_SCRIPT.search(r.get_data(as_text=True))]
    public = sum(r.headers.get("Cache-Control", "").startswith("public") for *_, r in responses)
    print(f"\nheaders checked on {len(responses)} responses; no-store on "
          f"{sum(p.startswith(BACK_OFFICE) for p, *_ in responses)} back-office responses; {public} public")
    assert not faults, "\n".join(faults)
    assert not cached, "answers cached wrongly:\n" + "\n".join(cached)
    assert not inline, "inline scripts or event handlers, which the policy would block:\n" + "\n".join(inline)
    assert {r.status_code for *_, r in responses} >= {200, 302, 400, 403, 404, 405, 429}
    assert public >= len(REVALIDATED)  # every public endpoint was answered publicly at least once


def endpoint_of(app, response) -> str:
    """The endpoint a request's path routes to (empty when none does)."""
    from werkzeug.exceptions import HTTPException

    try:
        return app.url_map.bind("localhost").match(response.request.path, method="GET")[0]
    except HTTPException:
        return ""


# -- hostile names ------------------------------------------------------------------------------------------

FIRM_NAME = "<script>alert(1)</script>\"'&"
PERSON_NAME = "\"'><img src=x onerror=alert(2)>"
ESCAPED_FIRM = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_PERSON = "&lt;img src=x onerror=alert(2)&gt;"


@pytest.fixture
def hostile(app, db):
    """A public firm and its public staff member with hostile names, a project, a review and a penalty; the
    firm's account and a Qingdao regulator."""
    firm = f.unit_record(name=FIRM_NAME, division_code="370211")
    person_id = f.make_id_number("370211", "19880808")
    f.create(firm, f.person_record(firm["uscc"], person_id, name=PERSON_NAME),
             f.project_record(firm["uscc"], "HOSTILE-1", name=f"{FIRM_NAME}地块", parcel_name=FIRM_NAME,
                              owner=PERSON_NAME, people=[{"id_number": person_id, "role": "responsible_manager"}]),
             f.review_record("HOSTILE-1", 1, True),
             f.penalty_record({"uscc": firm["uscc"]}, f"{FIRM_NAME}罚1号", violation=PERSON_NAME))
    unit = db.session.scalar(select(Unit).where(Unit.uscc == firm["uscc"]))
    person = db.session.scalar(select(Person).where(Person.name == PERSON_NAME))
    create_account(SYSTEM, username="hostile-firm", password=PASSWORD, role="unit", display_name=FIRM_NAME,
                   unit_id=unit.id)
    create_account(SYSTEM, username="qd-official", password=PASSWORD, role="regulator", display_name="王监管",
                   division_code="370200", authority_name="青岛市生态环境局")
    project = db.session.scalar(select(Project).where(Project.ref == "HOSTILE-1"))
    return unit, person, project


def test_hostile_names_are_escaped_on_every_page_that_shows_them(app, hostile):
    unit, person, project = hostile
    public, firm, regulator = app.test_client(), app.test_client(), app.test_client()
    login(firm, "hostile-firm", PASSWORD)
    login(regulator, "qd-official", PASSWORD)
    pages = [(public, "/search?q=alert"), (public, f"/search?q={unit.uscc[:8]}"), (public, f"/units/{unit.uscc}"),
             (public, f"/persons/{person.public_id}"), (public, f"/projects/{project.ref}"),
             (public, "/similar?industry=C26&province=37"),
             (firm, "/practitioner/"), (firm, "/practitioner/staff"), (firm, "/practitioner/projects"),
             (firm, f"/practitioner/projects/{project.ref}"), (firm, "/practitioner/details"),
             (regulator, "/regulator/units"), (regulator, f"/regulator/units/{unit.id}"),
             (regulator, "/regulator/projects"),
             (regulator, f"/regulator/projects/{project.id}"), (regulator, f"/regulator/persons/{person.id}"),
             (regulator, "/regulator/penalties"), (regulator, f"/regulator/audit/unit/{unit.id}")]
    shown, raw = [], []
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        if "<script>alert" in html or "<img src=x" in html or "onerror=alert" in html.replace(ESCAPED_PERSON, ""):
            raw.append(path)
        if ESCAPED_FIRM in html or ESCAPED_PERSON in html:
            shown.append(path)
    assert raw == [], raw
    assert len(shown) == len(pages), sorted({p for _, p in pages} - set(shown))


def test_hostile_names_travel_as_data_in_the_api_and_the_open_data(app, hostile):
    """JSON and CSV carry the exact name as data, typed so that no browser renders it as a page."""
    unit, person, _ = hostile
    client = app.test_client()
    for path in (f"/api/v1/units/{unit.uscc}", f"/api/v1/units?q={unit.uscc[:8]}",
                 f"/api/v1/persons/{person.public_id}", "/api/v1/persons?q=img"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "application/json", path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        names = re.findall(r'"name": ?("(?:[^"\\]|\\.)*")', response.get_data(as_text=True))
        assert {FIRM_NAME, PERSON_NAME} & {json.loads(name) for name in names}, path
    for kind, name in (("unit", FIRM_NAME), ("person", PERSON_NAME)):
        response = client.get(f"/open-data/{kind}.csv")
        assert response.mimetype == "text/csv" and response.headers["Content-Disposition"].startswith("attachment")
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert name in [row["name"] for row in rows]


# -- a forced exception ---------------------------------------------------------------------------------------

SECRET = "370211198808080011 and a stack frame's secret"


def test_an_unexpected_exception_shows_a_generic_page_with_the_error_id_that_the_log_holds(app_config, caplog):
    app = create_app(app_config)

    def explode():
        raise RuntimeError(f"kaboom: {SECRET}")

    app.add_url_rule("/boom-for-test", "boom_page", explode)
    app.add_url_rule("/api/v1/boom-for-test", "boom_api", explode)
    try:
        with app.app_context(), caplog.at_level(logging.ERROR):
            client = app.test_client()
            page = client.get("/boom-for-test")
            api = client.get("/api/v1/boom-for-test")
        html = page.get_data(as_text=True)
        assert page.status_code == 500 and page.mimetype == "text/html"
        page_id = re.search(r"<code>([0-9a-f]{12})</code>", html).group(1)
        assert api.status_code == 500
        assert api.get_json() == {"error": {"status": 500, "message": "internal error",
                                            "error_id": api.get_json()["error"]["error_id"]}}
        api_id = api.get_json()["error"]["error_id"]
        for response in (page, api):
            text = response.get_data(as_text=True)
            assert "Traceback" not in text and "kaboom" not in text and "RuntimeError" not in text
            assert "370211198808080011" not in text and "explode" not in text
            assert header_faults(response) == []
        logged = [record for record in caplog.records if record.levelno >= logging.ERROR]
        messages = [record.getMessage() for record in logged]
        assert any(page_id in m and "/boom-for-test" in m for m in messages), messages
        assert any(api_id in m for m in messages), messages
        assert page_id != api_id
        full_log = caplog.text
        assert "370211198808080011" not in full_log  # the log keeps the traceback, never a full ID number
    finally:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
