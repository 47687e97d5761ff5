"""A page cache for anonymous readers that never serves a page older than the content.

Every save or delete of content moves the content generation on; cached pages
are stored under the generation they were made in, so the first request after a
change builds the page afresh and older copies simply expire. Signed-in editors
are never served from the cache nor stored in it.
"""

import contextvars
import datetime
import hashlib
import time
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date

GENERATION_KEY = "timeline:content-generation"
PAGE_TIMEOUT = 24 * 3600
ADMIN_PREFIX = "/admin/"

# The generation a public request read when it began. Its kept parts (a count, the
# rows, the References) each name the generation; reading it once keeps them all of
# one generation, and saves a round trip to Redis for each.
request_generation = contextvars.ContextVar("request_generation", default=None)


def content_generation():
    """Return the current content generation: the time of the last change, in seconds."""
    generation = request_generation.get()
    if generation is not None:
        return generation
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = int(time.time())
        cache.add(GENERATION_KEY, generation, timeout=None)
        generation = cache.get(GENERATION_KEY, generation)
    return generation


def content_changed(sender, **kwargs):
    """Move the content generation on when a timeline row is saved or deleted."""
    if sender._meta.app_label == "timeline":
        # Never backwards, and never the same second twice, so every change is seen.
        request_generation.set(None)
        cache.set(GENERATION_KEY, max(int(time.time()), content_generation() + 1), timeout=None)


def cached(name, compute):
    """Return a site-wide value (the topic, the filter lists), kept until content changes."""
    key = f"timeline:{name}:{content_generation()}"
    return cache.get_or_set(key, compute, timeout=PAGE_TIMEOUT)


def cached_each(name, rows, make):
    """Return a value for each row, each kept until content changes.

    Values are kept under the name and the row's key; make(rows) returns the values of
    the rows given, in order, and is only given the rows whose values are not kept.
    """
    prefix = f"timeline:{name}:{content_generation()}"
    keys = [f"{prefix}:{row.pk}" for row in rows]
    found = cache.get_many(keys)
    missing = [(key, row) for key, row in zip(keys, rows, strict=True) if key not in found]
    if missing:
        made = dict(
            zip([key for key, _ in missing], make([row for _, row in missing]), strict=True)
        )
        cache.set_many(made, PAGE_TIMEOUT)
        found.update(made)
    return [found[key] for key in keys]


def cached_in_part(name, compute, lazy):
    """Return compute()'s dict, keeping all but the values named in lazy until content changes.

    The values named in lazy (model instances, slow to pickle and to read back) are
    not kept: each is a lazy object, made again from compute() only if something
    reads it. compute() runs at most once a request.
    """
    made = {}

    def make():
        if not made:
            made.update(compute())
        return made

    def kept():
        return {key: value for key, value in make().items() if key not in lazy}

    values = dict(cached(name, kept))
    for key in lazy:
        values[key] = SimpleLazyObject(partial(lambda key: make()[key], key))
    return values


def start_of_today():
    """Return when today began, in seconds: pages cite themselves as accessed today."""
    midnight = datetime.datetime.combine(timezone.localdate(), datetime.time())
    return int(timezone.make_aware(midnight).timestamp())


def page_key(request, generation):
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    # Pages cite themselves as accessed today, so a page is kept for its day only.
    day = timezone.localdate().isoformat()
    return f"timeline:page:{generation}:{day}:{request.method}:{digest}"


def stored_copy(response):
    """Return the response as bytes and headers alone, to keep in the cache.

    An API response carries its serializer's data; pickling it pickled the page's
    fifty events and their related rows (35 ms a page at 100,000 events).
    """
    return HttpResponse(response.content, status=response.status_code, headers=response.headers)


class PublicPageCacheMiddleware:
    """Serve anonymous readers' public pages from the cache, revalidated by ETag."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.is_public(request):
            response = self.get_response(request)
            if not request.path.startswith(ADMIN_PREFIX):
                # A signed-in editor's page may show drafts: no shared or stored copy.
                patch_cache_control(response, private=True, no_store=True)
            return response
        generation = content_generation()
        key = page_key(request, generation)
        response = cache.get(key)
        if response is None:
            token = request_generation.set(generation)
            try:
                response = self.get_response(request)
            finally:
                request_generation.reset(token)
            if self.is_storable(response):
                response["Last-Modified"] = http_date(max(generation, start_of_today()))
                patch_cache_control(response, public=True, no_cache=True)
                patch_vary_headers(response, ["Cookie"])
                # Hashed once here, not by ConditionalGetMiddleware on every copy served.
                set_response_etag(response)
                cache.set(key, stored_copy(response), PAGE_TIMEOUT)
        return response

    def is_public(self, request):
        return (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(ADMIN_PREFIX)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    def is_storable(self, response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Cache-Control")
        )


class PublicGZipMiddleware(GZipMiddleware):
    """Compress public pages, not the admin's.

    Compression leaks a secret in a page to an attacker who can add text to it
    and watch the compressed size (BREACH). Public pages hold no secret: no CSRF
    token, no session data. Admin pages hold CSRF tokens, so they go uncompressed.
    """

    def process_response(self, request, response):
        if request.path.startswith(ADMIN_PREFIX):
            return response
        return super().process_response(request, response)
