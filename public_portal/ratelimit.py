"""Request guards of the public portal: public searches are limited per
address (DESIGN §7: the public search is rate-limited, page size capped).

Searches are reads, so the count is kept in this worker's memory rather than written to the database on
every query: with N workers an address may make up to N times the configured number per minute, which is
enough to stop bulk scraping without turning every search into a write. Addresses are kept only as keyed
hashes, and only for the last minute.
"""
import threading
import time
from collections import defaultdict, deque

from flask import current_app, request

from registry.errors import error_response
from registry.i18n import current_locale

WINDOW_SECONDS = 60.0
LIMITED_ENDPOINTS = {"portal.search", "portal.similar", "api.units", "api.persons", "api.projects"}


class SlidingWindow:
    """Request times per key over the last `window` seconds."""

    def __init__(self, window: float = WINDOW_SECONDS):
        self.window = window
        self._hits: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, now: float | None = None) -> bool:
        """Count one request for `key`; False when it would exceed `limit` within the window."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle addresses
                for stale in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[stale]
            return True


def limit_searches():
    """Before a search request: refuse it with 429 when its address exceeded the per-minute limit."""
    if request.endpoint not in LIMITED_ENDPOINTS:
        return None
    window = current_app.extensions.setdefault("portal_search_window", SlidingWindow())
    key = current_app.extensions["id_vault"].keyed_hash(f"search:{request.remote_addr or 'unknown'}")
    if window.allow(key, current_app.config["SEARCH_REQUESTS_PER_ADDRESS_PER_MINUTE"]):
        return None
    message = "too many searches from your address; please wait a minute" if current_locale() == "en" \
        else "您的查询过于频繁，请一分钟后再试"
    response, status = error_response(429, message)
    return response, status, {"Retry-After": str(int(WINDOW_SECONDS))}
