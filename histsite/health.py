"""/healthz: whether this application server can reach its database and its cache.

Answered by a middleware placed before the page cache, the session and CSRF, so
that a check never reads or writes a session, never sets a cookie, is never
cached, and still answers (503) when the cache is what is down.
"""

import json
import logging
import time

from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

PATH = "/healthz"
CACHE_KEY = "histsite:healthz"

logger = logging.getLogger(__name__)


def check_database():
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()


def check_cache():
    cache.set(CACHE_KEY, 1, timeout=60)
    if cache.get(CACHE_KEY) is None:
        raise RuntimeError("a value written to the cache could not be read back")


CHECKS = {"database": check_database, "cache": check_cache}


def health():
    """Return (healthy, report): each check's "ok" or "unavailable", and the time taken."""
    started = time.perf_counter()
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:
            logger.error("Health check: the %s does not answer: %r", name, error)
            report[name] = "unavailable"
        else:
            report[name] = "ok"
    healthy = all(value == "ok" for value in report.values())
    report = {"status": "ok" if healthy else "unavailable", **report}
    report["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return healthy, report


class HealthCheckMiddleware:
    """Answer GET or HEAD /healthz with 200 when every check passes, 503 otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return response
        healthy, report = health()
        response = HttpResponse(
            json.dumps(report), content_type="application/json", status=200 if healthy else 503
        )
        add_never_cache_headers(response)
        return response
