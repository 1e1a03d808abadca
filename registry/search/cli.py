"""`flask search ...`: rebuild the search index from the database."""
from flask.cli import AppGroup

search_cli = AppGroup("search", help="The full-text search index.")
