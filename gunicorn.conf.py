"""gunicorn's settings for the registry (docs/deploy.md): `gunicorn -c gunicorn.conf.py wsgi:app`, each one
changed through the environment variable named beside it.

The app is loaded once in the master (`preload_app`) and jieba's dictionary is loaded there before any worker is
forked, so a new or replaced worker answers its first search at once instead of spending 2-4 s loading it. No
database connection crosses the fork: the app closes the one it checked its keys with, and each worker drops
any pooled connection it inherited.
"""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))  # about 2 per core: a worker waits on the database
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a worker silent this long is killed and replaced
graceful_timeout = 30
keepalive = 5
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # a file, or "-" for standard output; none when unset
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def on_starting(server):
    """In the master, before it listens and forks: load jieba's dictionary (the workers share it copy-on-write)."""
    from registry.search.text import words

    words("土壤污染风险管控和修复")
    server.log.info("warmed up: jieba's dictionary is loaded")


def post_fork(server, worker):
    """A forked worker opens its own database connections: drop any the master's pool holds (not closing them)."""
    from registry.extensions import db

    app = server.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):  # another app served from here (the benchmark's
        return                                              # baseline): it has no database pool
    with app.app_context():
        db.engine.dispose(close=False)
