"""The practitioners' room: firms and their responsible staff keep their own records here."""
from flask import Blueprint

bp = Blueprint("practitioner", __name__, url_prefix="/practitioner")

from registry.practitioner import views  # noqa: E402,F401  (routes attach to bp)
