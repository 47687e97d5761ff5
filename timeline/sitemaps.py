"""The sitemap of every public page, and robots.txt, which names it.

The sites framework is not installed, so Django's sitemap views build absolute
URLs on the request's own host (a RequestSite), never on example.com.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from timeline.filters import EventFilter
from timeline.models import Event, Period, Person, Place, Source, Topic


class PublishedSitemap(Sitemap):
    """The pages of one model's published rows, each changed at its modified_at.

    Rows are read by primary key with only the columns a URL and a date need, and
    each URL is the model's path with the slug in it, so a sitemap of 50,000 rows
    costs two queries and no URL resolving per row.
    """

    model = None
    url_name = ""
    # Below the protocol's 50,000: a file of 50,000 URLs took 4.5 s of CPU and 90 MB
    # to render at 100,000 events; one of 10,000 takes a fifth of that.
    limit = 10_000

    def items(self):
        rows = self.model.objects.published().order_by("pk")
        return rows.only("pk", "slug", "modified_at")

    def location(self, item):
        return self.path_prefix + item.slug + "/"

    @property
    def path_prefix(self):
        return reverse(self.url_name, kwargs={"slug": "slug"}).removesuffix("slug/")

    def lastmod(self, item):
        return item.modified_at

    def get_latest_lastmod(self):
        return self.model.objects.published().aggregate(latest=Max("modified_at"))["latest"]


class EventSitemap(PublishedSitemap):
    model, url_name = Event, "timeline:event-detail"


class PeriodSitemap(PublishedSitemap):
    model, url_name = Period, "timeline:period-detail"


class PersonSitemap(PublishedSitemap):
    model, url_name = Person, "timeline:person-detail"


class PlaceSitemap(PublishedSitemap):
    model, url_name = Place, "timeline:place-detail"


class SourceSitemap(PublishedSitemap):
    model, url_name = Source, "timeline:source-detail"


class TopicSitemap(Sitemap):
    """The topics' pages: the default one is the home page. Topics have no workflow."""

    def items(self):
        return Topic.objects.order_by("pk").only("pk", "slug", "is_default")


class ListSitemap(Sitemap):
    """The lists and the open-data page."""

    def items(self):
        return [
            "timeline:event-list",
            "timeline:period-list",
            "timeline:person-list",
            "timeline:place-list",
            "timeline:source-list",
            "timeline:data",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "lists": ListSitemap,
    "topics": TopicSitemap,
    "periods": PeriodSitemap,
    "events": EventSitemap,
    "people": PersonSitemap,
    "places": PlaceSitemap,
    "sources": SourceSitemap,
}

# What is not a page, or not one page: the admin, downloads, feeds, the API, and the
# timeline under each filter (its combinations are endless). Written as prefixes of
# path and query, as the original robots.txt rules and RFC 9309 both match them, with
# no wildcards, which not every parser reads.
DISALLOWED = (
    "/admin/",
    *(f"/events/?{name}=" for name in EventFilter.base_filters),
    "/events/feed/",
    "/events/export",
    "/events/names/",
    "/search/",
    "/api/",
    "/data/histsite.json",
)


@require_safe
def robots_txt(request):
    """Name the sitemap; keep crawlers out of the admin and of filter combinations."""
    sitemap = request.build_absolute_uri(reverse("timeline:sitemap"))
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), f"Sitemap: {sitemap}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
