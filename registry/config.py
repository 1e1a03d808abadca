"""Settings from the environment with safe defaults: SQLite and the search index under instance/; the keys from
the caller, the environment or instance/ (generated there on first run only: registry/keys.py)."""
import os
from pathlib import Path

from registry.keys import KEY_FILES, given_key
from registry.models.base import json_text
from registry.rules.complaints import ANSWER_WORKING_DAYS
from registry.rules.publicity import DEFAULT_PUBLICITY_RULES

PRODUCTION_FLAG = "REGISTRY_PRODUCTION"


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """The configuration for one app, from the environment and instance/ (`overrides` win). A key not given
    anywhere is None here: `registry.keys.settle_keys` generates it, if the database allows."""
    overrides = overrides or {}
    instance = Path(instance_path)
    production = os.environ.get(PRODUCTION_FLAG, "") == "1"
    database_url = overrides.get("SQLALCHEMY_DATABASE_URI") or os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'registry.sqlite3'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    default_backend = "postgresql" if database_url.startswith("postgresql") else "whoosh"
    settings = {
        "PRODUCTION": production,
        **{name: given_key(name, instance, overrides, production) for name in KEY_FILES},  # None: settle_keys
        "SQLALCHEMY_DATABASE_URI": database_url,
        # PostgreSQL's JIT compiles any statement its planner costs high, which a page's statements over a large
        # firm are: 60 of the 97 ms of the 2,000-project firm's staff statement (national scale) went to it. Nor
        # does a statement start parallel workers: once the tables are analysed, the planner gives one to a large
        # firm's reviews, whose start cost more than the walk (the 2,000-project firm's SQL, national scale, the
        # machine busy: 50 ms with them, 33 without), and takes a CPU another request needs.
        # JSON columns (audit events' values) take dates and decimals as they are: see json_text. A pooled
        # PostgreSQL connection the server ended is not handed out (database.configure_postgresql)
        "SQLALCHEMY_ENGINE_OPTIONS": {"json_serializer": json_text, **(
            {"connect_args": {"options": "-c jit=off -c max_parallel_workers_per_gather=0"}}
            if database_url.startswith("postgresql") else {})},
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),  # proxy hops whose X-Forwarded-* count
        "SEARCH_BACKEND": os.environ.get("SEARCH_BACKEND", default_backend),
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR") or str(instance / "search-index"),
        "SEARCH_LOCK_TIMEOUT": float(os.environ.get("SEARCH_LOCK_TIMEOUT", "10")),
        # Open data (registry/exchange/opendata.py): the built files, a folder several servers may share; after a
        # write, the next request starts a rebuild once the last build is this many seconds old (a day change or
        # missing files: at once); a request that started one waits this long for it (0: serve the old files)
        "OPEN_DATA_DIR": os.environ.get("OPEN_DATA_DIR") or str(instance / "open-data"),
        "OPEN_DATA_DEBOUNCE_SECONDS": float(os.environ.get("OPEN_DATA_DEBOUNCE_SECONDS", "300")),
        "OPEN_DATA_WAIT_SECONDS": float(os.environ.get("OPEN_DATA_WAIT_SECONDS", "0")),
        # Working days an authority has to decide a complaint (registry/rules/complaints.py): the deadline shown
        # on the complainant's tracking page and the days left in the regulator's queue
        "COMPLAINT_WORKING_DAYS": int(os.environ.get("COMPLAINT_WORKING_DAYS", str(ANSWER_WORKING_DAYS))),
        # The publicity rule table (registry/rules/publicity.py): periods by severity and decision date.
        # Minor penalties decided before 2026-04-01 ARE published, for 3 to 36 months like every severity then.
        # Decision: keep that behaviour, and say so here. Source: reference/measures.md,
        # "Credit repair": "Before 2026-04-01 the rule was a minimum of three months and a maximum of three
        # years", with no exception by severity; "minor penalties are not published" is the national rule
        # since 2026-04-01, and the period of a decision is that of the rule in force on its decision date.
        "PUBLICITY_RULES": DEFAULT_PUBLICITY_RULES,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_Hans_CN", "en"],
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REGULATOR_IDLE_MINUTES": 30,
        "SECOND_FACTOR_REQUIRED": production,  # regulators and administrators must enrol a TOTP second factor
        "LOGIN_LOCKOUT_FAILURES": 5,
        "LOGIN_LOCKOUT_MINUTES": 15,
        "COMPLAINTS_PER_ADDRESS_PER_HOUR": int(os.environ.get("COMPLAINTS_PER_ADDRESS_PER_HOUR", "5")),
        "REPORTS_PER_ADDRESS_PER_HOUR": int(os.environ.get("REPORTS_PER_ADDRESS_PER_HOUR", "20")),
        "SEARCH_REQUESTS_PER_ADDRESS_PER_MINUTE": int(os.environ.get("SEARCH_REQUESTS_PER_MINUTE", "600")),
        "TODAY": None,  # tests may pin the date; None means the real date in Asia/Shanghai
    }
    settings.update(overrides)
    return settings
