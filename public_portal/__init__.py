"""The public site and the public JSON API: reads only (except the complaint form and issuing a credit report)."""
from flask import Flask

from public_portal import reports  # noqa: F401 (its routes join the portal's blueprint before it is mounted)
from public_portal.api import api
from public_portal.caching import init_caching
from public_portal.lists import bp as lists
from public_portal.views import bp


def register_portal(app: Flask) -> None:
    """Mount the public pages and the public API on the app, with their HTTP caching."""
    app.register_blueprint(bp)
    app.register_blueprint(lists)
    app.register_blueprint(api)
    init_caching(app, (bp.name, lists.name, api.name))
