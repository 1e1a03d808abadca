"""Error pages and JSON errors: never a traceback, never a full ID number; a 500 carries an error id."""
import secrets

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from registry.i18n import current_locale
from registry.rules.errors import RuleViolation
from registry.services.audit import AccessDenied


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, parameter: str | None = None):
    if wants_json():
        body = {"error": {"status": status, "message": message}}
        if parameter:
            body["error"]["parameter"] = parameter
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(RuleViolation)
    def rule_violation(error: RuleViolation):
        return error_response(400, error.message(current_locale()), error.field)

    @app.errorhandler(AccessDenied)
    def access_denied(error: AccessDenied):
        return error_response(error.status, "")

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(400, "CSRF")

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
