"""Public pages (to be built out by the portal issue)."""
from flask import Blueprint, render_template

bp = Blueprint("portal", __name__)


@bp.route("/")
def home():
    return render_template("portal/home.html")


@bp.route("/search")
def search():
    return render_template("portal/home.html")


@bp.route("/similar")
def similar():
    return render_template("portal/home.html")


@bp.route("/open-data")
def open_data():
    return render_template("portal/home.html")
