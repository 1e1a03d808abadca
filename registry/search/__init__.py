"""Full-text search behind three functions (index a record, remove a record, query); see DESIGN §4."""
from flask import Flask


def init_search(app: Flask) -> None:
    """Attach the configured search backend (built by the portal issue)."""
