"""The one application factory, read as a table of contents: each step below is a short `register_*`."""
import os

from cryptography.exceptions import InvalidTag
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from public_portal import register_portal
from registry import ROOT
from registry.auth import init_auth
from registry.auth.views import bp as auth_bp
from registry.cli import register_cli
from registry.config import load_config
from registry.database import configure_postgresql, configure_sqlite, modelled
from registry.errors import init_error_handlers
from registry.extensions import csrf, db, migrate
from registry.figures import keep_figures
from registry.generation import commit_what_read, keep_generation
from registry.health import init_health
from registry.i18n import init_i18n
from registry.keys import settle_keys, unreadable_number
from registry.practitioner import bp as practitioner_bp
from registry.regulator import bp as regulator_bp
from registry.search import init_search
from registry.security import CookieSessions, add_security_headers, install_log_redaction
from registry.templating import LanguageEnvironment
from registry.vault import IdNumberVault


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """The one application factory; it reads as the table of contents of the app. The instance folder (keys,
    SQLite database, search index) is `instance_path`, else REGISTRY_INSTANCE_PATH, else instance/."""
    app = Flask(
        "registry",
        instance_path=instance_path or os.environ.get("REGISTRY_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.jinja_environment = LanguageEnvironment  # each language's templates compiled with its messages translated
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)  # a fresh clone has none: the database and keys go here
    app.config.from_mapping(load_config(app.instance_path, config))
    register_extensions(app)
    register_database_rules(app)
    register_keys(app)
    register_proxies(app)
    register_i18n(app)
    register_auth(app)
    register_blueprints(app)
    register_security_headers(app)
    register_sessions(app)
    register_errorhandlers(app)
    register_health(app)
    register_search(app)
    register_data_generation(app)
    register_commands(app)
    register_logging(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"),
                     include_name=modelled)  # autogenerate leaves alone what no model declares
    csrf.init_app(app)
    app.extensions.setdefault("after_write_commit", [])


def register_database_rules(app: Flask) -> None:
    with app.app_context():
        configure_sqlite(db.engine)
        configure_postgresql(db.engine)


def register_keys(app: Flask) -> None:
    """The two keys, held against the database's fingerprints (a server with other keys refuses to start)."""
    settle_keys(app)
    app.extensions["id_vault"] = IdNumberVault(app.config["ID_NUMBER_KEY"])
    app.register_error_handler(InvalidTag, unreadable_number)


def register_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, the client's address and scheme come from their X-Forwarded-For
    and X-Forwarded-Proto; with none trusted (the default), those headers are ignored."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_i18n(app: Flask) -> None:
    init_i18n(app)


def register_auth(app: Flask) -> None:
    init_auth(app)


class RecordId(IntegerConverter):
    """`<int:...>` within a database integer: a larger id is a 404, not an overflow in the driver (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    """The back office's rooms, then the public site (the one place the registry mounts public_portal)."""
    app.url_map.converters["int"] = RecordId
    app.register_blueprint(auth_bp)
    app.register_blueprint(practitioner_bp)
    app.register_blueprint(regulator_bp)
    register_portal(app)


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)


def register_sessions(app: Flask) -> None:
    app.session_interface = CookieSessions()


def register_errorhandlers(app: Flask) -> None:
    init_error_handlers(app)


def register_health(app: Flask) -> None:
    init_health(app)


def register_search(app: Flask) -> None:
    init_search(app)


def register_data_generation(app: Flask) -> None:
    """Every committed write counts again the figures of the firms it touched (registry/figures.py), then bumps
    the data generation (after the search backend's hook and the figures': see keep_generation)."""
    keep_figures()
    keep_generation()
    app.teardown_appcontext(commit_what_read)  # runs before Flask-SQLAlchemy's (teardowns run last first)


def register_commands(app: Flask) -> None:
    register_cli(app)


def register_logging(app: Flask) -> None:
    install_log_redaction()
