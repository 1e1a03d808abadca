"""The registry as the benchmark serves it under gunicorn (`gunicorn bench.serve:app`): the production app
factory, configured by the environment `bench/run.py` sets (DATABASE_URL, SEARCH_INDEX_DIR, secrets, the
search rate limit raised so load from 127.0.0.1 is not refused), with the date pinned to the data's date."""
import os

from registry.app import create_app

app = create_app({"TODAY": os.environ.get("BENCH_TODAY", "2026-11-26")})
