"""Error pages and JSON errors: never a traceback, never a full ID number; a 500 carries an error id."""
import secrets
from urllib.parse import unquote_to_bytes

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from registry.access import AccessDenied, deny
from registry.i18n import current_locale
from registry.rules.errors import RuleViolation


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, parameter: str | None = None):
    if wants_json():
        body = {"error": {"status": status, "message": message}}
        if parameter:
            body["error"]["parameter"] = parameter
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


# The two refusals made before any view runs, each with its reason in Chinese and English.
NUL_REFUSED = RuleViolation("request", "提交的内容含有 NUL 控制字符，未保存任何内容",
                            "what was sent holds a NUL control character; nothing was saved")
CSRF_REFUSED = RuleViolation("csrf_token", "表单的安全令牌缺失或已失效：请重新打开页面再提交，本次未保存任何内容",
                             "the form's security token is missing or has expired: open the page again and "
                             "resubmit; nothing was saved")


QUERY_NOT_UTF8 = RuleViolation("query", "查询字符串不是 UTF-8 编码，无法读取：请把查询参数按 UTF-8 做百分号编码"
                                        "（例如 q=苏净 应写作 q=%E8%8B%8F%E5%87%80），本次未查询任何内容",
                               "the query string is not UTF-8 and cannot be read: percent-encode the parameters as "
                               "UTF-8 (q=苏净 is written q=%E8%8B%8F%E5%87%80); nothing was searched")


def raw_query_bytes(query: str, server: str) -> bytes:
    """The bytes a client sent as its query string, from the WSGI environ's text. PEP 3333 hands raw bytes over
    as latin-1 characters; werkzeug's development server encodes those as UTF-8 once more on the way (the app
    would read "Ã¨Â\x8b…" for 苏), which is undone here."""
    data = query.encode("latin-1") if all(ord(c) <= 0xFF for c in query) else query.encode()  # a server that decoded UTF-8
    if server.startswith("Werkzeug/"):
        try:
            return data.decode("utf-8").encode("latin-1")
        except UnicodeError:
            pass
    return data


class PercentEncodeRawQuery:
    """`curl 'host/api/v1/units?q=苏净'` sends the query's UTF-8 bytes unencoded, which werkzeug's request then
    read as latin-1 ("è\x8b\x8f…"): a search that silently found nothing. The raw bytes are percent-encoded here,
    before any request is read, so the query reads as the UTF-8 it is; bytes that are not UTF-8 stay percent-encoded
    and are refused by refuse_undecodable_query. (gunicorn refuses such a request line itself, with a 400.)"""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():
            raw = raw_query_bytes(query, environ.get("SERVER_SOFTWARE", ""))
            environ["QUERY_STRING"] = "".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in raw)
        return self.wsgi_app(environ, start_response)


def refuse_undecodable_query():
    """A query string whose bytes are not UTF-8 (percent-encoded GBK, say) is refused with a 400 that says how to
    send it, on the API and the pages alike: read with replacement characters it would silently find nothing."""
    try:
        unquote_to_bytes(request.environ.get("QUERY_STRING", "")).decode("utf-8")
    except UnicodeError:
        return error_response(400, QUERY_NOT_UTF8.message(current_locale()), QUERY_NOT_UTF8.field)
    return None


def refuse_nul_characters():
    """A NUL character in a path, parameter or form field is refused with a 400 before any view runs, on every
    page: PostgreSQL can neither store nor compare one (a DataError, a 500, on the forms that wrote it)."""
    values = [*(request.view_args or {}).values(), *(v for _, v in request.args.items(multi=True)),
              *(v for _, v in request.form.items(multi=True))]  # every value of a repeated field, not only the first
    if any(isinstance(value, str) and "\x00" in value for value in values):
        parameter = next((k for k, v in request.args.items(multi=True) if "\x00" in v), None)
        return error_response(400, NUL_REFUSED.message(current_locale()), parameter)
    return None


def init_error_handlers(app: Flask) -> None:
    app.wsgi_app = PercentEncodeRawQuery(app.wsgi_app)
    app.before_request(refuse_undecodable_query)
    app.before_request(refuse_nul_characters)

    @app.errorhandler(RuleViolation)
    def rule_violation(error: RuleViolation):
        return error_response(400, error.message(current_locale()), error.field)

    @app.errorhandler(AccessDenied)
    def access_denied(error: AccessDenied):
        deny(error)  # a refused read or page is audited here; a service's refusal already was
        return error_response(error.status, "")

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(400, CSRF_REFUSED.message(current_locale()))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return error_response(error.code or 500, error.description if wants_json() else "")

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        error_id = secrets.token_hex(6)
        app.logger.exception("unexpected error %s on %s %s", error_id, request.method, request.path)
        if wants_json():
            return jsonify({"error": {"status": 500, "message": "internal error", "error_id": error_id}}), 500
        return render_template("errors/error.html", status=500, message="", error_id=error_id), 500
