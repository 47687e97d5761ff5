"""The API's pages and rate limit, named in settings.REST_FRAMEWORK.

Kept apart from the views: DRF reads these settings while defining its APIView,
so a module that defines views cannot be named there.
"""

import hashlib

from django.conf import settings
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from timeline.views import MAX_PAGE, KeptCountPaginator


class Pagination(PageNumberPagination):
    """Pages of 50 rows (page_size up to 100), with the site's rule for a page number."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.kept = None
        if request.user.is_anonymous:
            # Only published rows: the count depends on the view's filters alone, so it
            # is kept until content changes instead of read from every matching event.
            filterset = getattr(view, "filterset_class", None)
            names = filterset.base_filters if filterset else ()
            filters = [(name, request.query_params.getlist(name)) for name in names]
            digest = hashlib.sha256(repr((request.path, filters)).encode()).hexdigest()
            self.kept = f"api-list:{digest}"
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size):
        return KeptCountPaginator(queryset, page_size, kept=self.kept)

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param) or "1"
        number = value.isascii() and value.isdecimal() and len(value) <= 10
        if not number or not 1 <= int(value) <= MAX_PAGE:
            raise NotFound(f"There is no page “{value[:30]}”: give a number from 1.")
        if int(value) > max(paginator.num_pages, 1):
            raise NotFound(f"There is no page {value}; there are {paginator.num_pages}.")
        return int(value)


class ClientRateThrottle(AnonRateThrottle):
    """Limit each client's requests, by the address the sign-in throttle reads.

    The client's address comes from the same request.META keys as django-axes'
    (DJANGO_AXES_IPWARE_META_PRECEDENCE_ORDER), so a client cannot name its own
    address in a header the proxy does not overwrite. The rate is read when the
    throttle is made, so a changed setting takes effect at once.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        for key in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
            value = request.META.get(key, "")
            if value:
                return value.split(",")[0].strip()
        return request.META.get("REMOTE_ADDR", "")
