"""HTTP caching of the public pages and the API: cheap revalidation from the data generation.

A public answer is a function of the registry's data, the Beijing day, the language, the URL and the release of
the code. The first two are the data generation (registry/generation.py); so a page's validator is

    ETag: W/"<number>.<yyyymmdd>.<zh|en>.<release>"      (the API's: W/"<number>.<yyyymmdd>.<release>")

The URL is not in it: a tag is only ever compared with the tags of the same URL (RFC 9110 §8.8.3), and the
language is, because one URL answers in either language depending on the `lang` cookie. The API answers the
same bytes in both languages, so its tag has none (tests/portal/test_http_caching.py checks both). The tag is
weak: it promises the same content, not the same bytes (a proxy may gzip the answer, and a weak tag survives
that). `release` is a digest of the code and templates, so a deployment that changes a page changes its tag.

A conditional GET whose `If-None-Match` holds the current tag is answered 304 before the view runs, from the
generation row alone; so is one with only `If-Modified-Since`, when it is not before `Last-Modified`.

Only anonymous visitors get public answers. A signed-in visitor's page has a sign-out form with a CSRF token
(and flashed messages are one visitor's too): those answers are `no-store`, like the back office, complaint
receipts, errors, redirects and every POST. The project page carries the complaint form's single-use token, so
no shared cache may keep it; for an anonymous visitor it is `private, no-cache` (FORM_PAGES): the browser
revalidates it before any reuse except the back button, which then shows the form as it was sent, with its
spent token, so a resend leads to the same receipt instead of filing again (tests/browser/test_complaint_once.py).
Everything not listed here is `no-store` (registry/security.py).
"""
import hashlib
import math
from datetime import UTC, datetime
from functools import cache

from flask import Flask, Response, g, request, session

from registry import ROOT
from registry.generation import Generation, current_outside_session
from registry.i18n import LANG_COOKIE, current_locale

MAX_AGE = 60  # seconds a cache may answer without asking: a write shows everywhere within a minute
PAGES = frozenset({"portal.home", "portal.search", "portal.similar", "portal.unit", "portal.person",
                   "lists.bans", "lists.penalties", "lists.findings", "lists.national_feed", "lists.province_feed",
                   "lists.unit_feed", "lists.person_feed", "portal.api_docs"})
API = frozenset({"api.units", "api.unit", "api.persons", "api.person", "api.projects", "api.openapi",
                 "api.penalties", "api.bans"})
REVALIDATED = PAGES | API
# Public, but not a function of the generation: the open-data files are built after writes (debounced) and
# carry their own validators; the page shows when they were built. They are cached for a minute.
OWN_VALIDATORS = frozenset({"portal.open_data", "portal.open_data_jsonl", "portal.open_data_csv",
                            "portal.open_data_manifest"})
FORM_PAGES = frozenset({"portal.project"})  # one visitor's form token: the browser's own copy only
PER_VISITOR_KEYS = ("_user_id", "_flashes")  # Flask-Login's signed-in account; messages flashed to this visitor
RELEASE_SOURCES = ("registry", "public_portal", "templates")
RELEASE_SUFFIXES = {".py", ".html", ".po"}


def init_caching(app: Flask, blueprints: tuple[str, ...]) -> None:
    """Answer unchanged public resources with 304 before the views (and the search limit) run; mark the public
    blueprints' public answers (their after-request functions run before the app's security headers)."""
    release()  # computed once per process, before gunicorn forks its workers
    # first of all: an anonymous visitor's 304 needs none of the sign-in checks (a signed-in one gets no 304)
    app.before_request_funcs.setdefault(None, []).insert(0, answer_unchanged)
    for name in blueprints:
        app.after_request_funcs.setdefault(name, []).append(add_cache_headers)


def answer_unchanged() -> Response | None:
    """Before the view: a 304 when the visitor's copy is current (reading only the generation row)."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in REVALIDATED or per_visitor():
        return None
    g.generation = current_outside_session()
    if not_modified(g.generation):
        return Response(status=304)
    return None


def add_cache_headers(response: Response) -> Response:
    """After a public blueprint's view: `public, max-age` and the validators on a public answer; otherwise
    nothing here (registry/security.py makes every answer without a Cache-Control `no-store`)."""
    endpoint = request.endpoint
    if (endpoint in FORM_PAGES and request.method in ("GET", "HEAD") and response.status_code == 200
            and not per_visitor() and not session.modified):
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    public = (request.method in ("GET", "HEAD") and response.status_code in (200, 304) and not per_visitor()
              and not session.modified and endpoint in REVALIDATED | OWN_VALIDATORS)
    if not public:
        return response
    if endpoint in REVALIDATED:
        generation = g.get("generation") or current_outside_session()
        response.set_etag(entity_tag(generation), weak=True)
        modified = last_modified(generation, datetime.now(UTC))
        if modified is not None:
            response.last_modified = modified
    if "Cache-Control" not in response.headers:
        # a `?lang=` answer sets the language cookie: the browser may keep it, a shared cache may not
        shared = "public" if request.args.get(LANG_COOKIE) is None else "private"
        response.headers["Cache-Control"] = f"{shared}, max-age={MAX_AGE}"  # one write, not one per directive
    response.vary.add("Cookie")  # the language cookie chooses the page's language
    return response


def per_visitor() -> bool:
    """Whether this visitor's pages hold something of their own (read from the signed cookie, no database)."""
    return any(key in session for key in PER_VISITOR_KEYS)


def entity_tag(generation: Generation) -> str:
    """The tag of the current request's answer (without the W/ and quotes)."""
    language = "" if request.endpoint in API else f".{current_locale()}"
    return f"{generation.tag}{language}.{release()}"


def last_modified(generation: Generation, now: datetime) -> datetime | None:
    """`Last-Modified` in whole seconds, rounded up from the generation's instant; none while that second lasts.

    HTTP dates have no fraction of a second. Rounding down would make a write later in the same second look
    older than the copy a client holds; rounding up and saying nothing until that second is over means any
    write after this answer has a later `Last-Modified` than the one it carries."""
    instant = generation.last_modified
    whole = datetime.fromtimestamp(math.ceil(instant.timestamp()), UTC)
    return whole if now >= whole else None


def not_modified(generation: Generation) -> bool:
    """The request's validators against the current ones: `If-None-Match` wins when given (RFC 9110 §13.1.3)."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(entity_tag(generation))
    since = request.if_modified_since
    modified = last_modified(generation, datetime.now(UTC))
    return since is not None and modified is not None and modified <= since


@cache
def release() -> str:
    """A short digest of the code, templates and translations this server runs (the same on every server of a
    release, whatever the files' times)."""
    digest = hashlib.sha256()
    for top in RELEASE_SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:8]
