"""The regulators' room: review outcomes, penalties, repair, complaints, non-disclosure, audit."""
from flask import Blueprint

bp = Blueprint("regulator", __name__, url_prefix="/regulator")

from registry.regulator import views  # noqa: E402,F401  (routes attach to bp)
