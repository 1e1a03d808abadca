"""Error pages and JSON errors: never a traceback, never a full ID number; a 500 carries an error id."""
import secrets

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
