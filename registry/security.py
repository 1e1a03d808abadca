"""Response headers (DESIGN §7), the signed session cookie, and the log redaction that keeps full ID numbers out of every
log line."""
import logging
import re

from flask import Flask, Request, Response, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

# 17 digits and a digit or X, not inside a longer run of letters or digits: a resident ID number. In a URL (an
# access log line) it may follow a percent escape such as %20, whose hex digits are not part of the number.
FULL_ID_NUMBER = re.compile(r"(?:(?<![0-9A-Za-z])|(?<=%[0-9A-Fa-f]{2}))(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def redact_id_numbers(text: str) -> str:
    """Replace every full ID number in a text with its masked form."""
    return FULL_ID_NUMBER.sub(lambda m: m.group(1) + "********" + m.group(2).upper(), text)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)
# production is served over HTTPS only (behind its TLS proxy)
HTTPS_ONLY = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def add_security_headers(response: Response) -> Response:
    """The headers of DESIGN §7 on every answer, where a view has not set its own. The answer's header names are
    read once: each `setdefault` walked them and raised a KeyError to say one was missing (a tenth of a 304)."""
    present = {name.lower() for name, _ in response.headers}
    added = [*SECURITY_HEADERS, HTTPS_ONLY] if current_app.config["PRODUCTION"] else SECURITY_HEADERS
    for name, value in added:
        if name.lower() not in present:
            response.headers.add(name, value)
    if request.blueprint in ("practitioner", "regulator", "auth") or request.path.startswith(("/practitioner", "/regulator")):
        response.headers["Cache-Control"] = "no-store"  # the back office, whatever a view said
    elif request.endpoint != "static" and "cache-control" not in present:
        # an answer nothing marked public (public_portal/caching.py) is stored by no cache: personal pages,
        # pages with a form token, errors, redirects, POST answers; the style sheets and icon keep Flask's own
        response.headers.add("Cache-Control", "no-store")
    return response


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a request without the cookie gets its empty session without
    the signing serializer being built first (Flask builds one for every request: a tenth of a 304's cost).
    With the cookie, and for every save, Flask's own code runs."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


class IdNumberRedactingFilter(logging.Filter):
    """Rewrites a record's message, and its traceback, with every full ID number masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_id_numbers(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # an exception's message may hold the number it was about; handlers print exc_text when it is set
            record.exc_text = redact_id_numbers(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact_id_numbers(record.stack_info)
        return True


def install_log_redaction() -> None:
    """Redact in the record factory, so every logger of the process (werkzeug, gunicorn) is covered."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts_id_numbers", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        IdNumberRedactingFilter().filter(record)
        return record

    factory.redacts_id_numbers = True
    logging.setLogRecordFactory(factory)
