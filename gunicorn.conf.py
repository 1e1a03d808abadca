"""gunicorn's settings for the registry (docs/deploy.md): `gunicorn -c gunicorn.conf.py wsgi:app`, each one
changed through the environment variable named beside it.

The app is loaded once in the master (`preload_app`), and jieba's dictionary and the Whoosh index's segments are
read there before any worker is forked, so a new or replaced worker answers its first search at once instead of
spending 2-4 s loading the one and, at national scale, 1.5 s reading the other. No
database connection crosses the fork: the app closes the one it checked its keys with, and each worker drops
any pooled connection it inherited.
"""
import gc
import os


def available_cpus() -> int:
    """The CPUs this process may run on (a container's or a taskset's share, not the whole machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # the proxy's side only: see TRUSTED_PROXIES
# Two per CPU: a worker spends part of each request waiting on the database. At most 16: each holds its own search
# searcher and database connections (PostgreSQL allows 100 by default, shared by every server).
workers = int(os.environ.get("GUNICORN_WORKERS") or min(2 * available_cpus(), 16))
# Sync workers, one request at a time per process: the work is Python on the CPU (templates, search), which
# threads would not speed up under the GIL, and nginx in front buffers slow clients and uploads, so a slow
# client never holds a worker. Serving the internet without a proxy, choose gthread.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a worker silent this long is killed and replaced
graceful_timeout = 30  # on a restart, a worker finishes its request within this
keepalive = 5
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # a file, or "-" for standard output; none when unset
# The path without its query string, and no Referer: a query holds what a visitor looked up (a person's name)
# and a complaint receipt's check code, and a Referer holds the previous page's query. nginx's log has the rest.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
# Requests a worker serves before it freezes what it has built meanwhile (its caches: compiled statements,
# templates, the search index's readers) out of the collector's full passes too; see post_request.
freeze_after = int(os.environ.get("GUNICORN_FREEZE_AFTER", "100"))
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def on_starting(server):
    """In the master, before it listens and forks: load jieba's dictionary and read the Whoosh index's segments
    (the workers share both copy-on-write), then freeze what is loaded. Frozen objects (the app, its libraries' modules, classes and functions: about
    144,000) are left out of the collector's full passes, which otherwise walked all of them every few hundred
    requests and stopped a worker for 70-90 ms (national data) in the middle of a request; frozen, a full pass
    over what a worker made itself takes about 14 ms. Nothing frozen is ever freed, and none of it is garbage."""
    from registry.search.text import words

    words("土壤污染风险管控和修复")
    documents = _read_search_index(server.app.wsgi())
    gc.freeze()
    server.log.info("warmed up: jieba's dictionary is loaded, %s documents of the search index read; %s objects "
                    "frozen out of the collector's full passes", f"{documents:,}", f"{gc.get_freeze_count():,}")


def _read_search_index(app) -> int:
    """The Whoosh index's segments read once, in the master (`WhooshBackend.read_segments`): each worker forks
    with them, and its first search does not read them again (1.5 s at national scale). How many documents (0:
    no index yet, or another backend)."""
    search = getattr(app, "extensions", {}).get("search")
    read_segments = getattr(search, "read_segments", None)
    return read_segments() if read_segments is not None else 0


def post_fork(server, worker):
    """A forked worker opens its own database connections: drop any the master's pool holds (not closing them)."""
    from registry.extensions import db

    app = server.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):  # another app served from here (the benchmark's
        return                                              # baseline): it has no database pool
    with app.app_context():
        db.engine.dispose(close=False)


def post_request(worker, req, environ, resp):
    """After a worker's first `freeze_after` requests (the answer sent): collect, then freeze what is left, as the
    master froze what it loaded. A worker's caches were still 58,000 objects that every full pass walked: a pass
    took 15-20 ms in the middle of a request, about once in 124 (national data, the benchmark's queries); frozen,
    2-3 ms. A frozen object is still freed when nothing refers to it any more; only a cycle among them that a
    cache drops later is never freed, and at most what was frozen here, once."""
    worker.requests_served = getattr(worker, "requests_served", 0) + 1
    if worker.requests_served == freeze_after:
        gc.collect()
        gc.freeze()
        worker.log.info("worker %s froze its caches after %d requests: %s objects frozen in all", worker.pid,
                        freeze_after, f"{gc.get_freeze_count():,}")
