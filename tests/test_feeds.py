"""The Atom feeds, the sitemap and robots.txt, read by the parsers their users rely on."""

import datetime
import urllib.robotparser
from urllib.parse import urlsplit

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from tests.factories import EventFactory
from tests.opendata import SECRET, body_of, build_mixed_site, count_queries
from tests.test_queries import add_events, build_site
from timeline.models import Event, Period, Person, Place, Source
from timeline.sitemaps import EventSitemap

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def read_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, body_of(response)[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_the_feed_goes_out_in_one_piece(client):
    build_site(30)
    response = client.get(reverse("timeline:feed"))
    assert len(list(response)) == 1  # not one piece (and system call) per XML element
    assert len(read_feed(client, reverse("timeline:feed")).entries) == 30


def test_the_feed_lists_published_events_latest_change_first(client):
    build_mixed_site()
    now = timezone.now()
    Event.objects.filter(slug="open-other").update(modified_at=now + datetime.timedelta(hours=1))
    feed = read_feed(client, reverse("timeline:feed"))
    assert [entry.link for entry in feed.entries] == [
        "http://testserver/events/open-other/",
        "http://testserver/events/open-event/",
    ]
    first = feed.entries[0]
    assert first.title == "Open other (c. 1945)"
    assert first.summary.startswith("c. 1945: Something happened.")
    assert first.updated_parsed[:4] == (now + datetime.timedelta(hours=1)).utctimetuple()[:4]
    assert [tag.term for tag in first.tags] == ["Era"]
    assert feed.feed.title.endswith("new and changed events")
    assert feed.feed.links[0].href == "http://testserver/events/"


def test_a_filtered_feed_answers_as_the_timeline_does(client):
    build_mixed_site()
    url = reverse("timeline:event-feed") + "?start=1950&end=1960"
    feed = read_feed(client, url)
    assert [entry.link for entry in feed.entries] == ["http://testserver/events/open-event/"]
    assert "From: 1950" in feed.feed.title and "To: 1960" in feed.feed.title
    assert feed.feed.links[0].href == "http://testserver/events/?start=1950&end=1960"
    # The draft period is not named as the event's category.
    assert not feed.entries[0].get("tags")


def test_a_filtered_feed_refuses_bad_filters_with_a_sentence(client):
    response = client.get(reverse("timeline:event-feed"), {"start": "1956-13-45"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "“1956-13-45” is not a date" in text
    response = client.get(reverse("timeline:event-feed"), {"start": "1960", "end": "1950"})
    assert response.status_code == 400
    assert "The date range is reversed" in response.content.decode()


def test_feeds_never_show_unpublished_content(client):
    build_mixed_site()
    for url in (
        reverse("timeline:feed"),
        reverse("timeline:event-feed"),
        reverse("timeline:event-feed") + "?place=open-city",
    ):
        text = body_of(client.get(url)).lower()
        assert "open-event" in text
        assert SECRET not in text, url


def test_every_page_links_to_the_feed_and_a_filtered_timeline_to_its_own(client):
    build_mixed_site()
    html = client.get(reverse("timeline:home")).content.decode()
    assert 'type="application/atom+xml" title="New and changed events" href="/feed/"' in html
    html = client.get(reverse("timeline:event-list"), {"place": "open-city", "page": 1})
    html = html.content.decode()
    assert 'href="/events/feed/?place=open-city"' in html
    assert 'href="/events/export.csv?place=open-city"' in html


def sitemap_urls(client, host="testserver"):
    """Return every page the sitemap index leads to, with its lastmod, reading each file."""
    response = client.get(reverse("timeline:sitemap"), HTTP_HOST=host)
    assert response.status_code == 200
    index = etree.fromstring(response.content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    urls = {}
    for loc in index.iter(f"{SITEMAP}loc"):
        parts = urlsplit(loc.text)
        assert parts.netloc == host
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        section = client.get(path, HTTP_HOST=host)
        assert section.status_code == 200, path
        urlset = etree.fromstring(section.content)
        assert urlset.tag == f"{SITEMAP}urlset"
        for url in urlset.iter(f"{SITEMAP}url"):
            lastmod = url.find(f"{SITEMAP}lastmod")
            urls[url.find(f"{SITEMAP}loc").text] = None if lastmod is None else lastmod.text
    return urls


def test_the_sitemap_lists_every_public_page_on_the_requests_host(client, settings):
    settings.ALLOWED_HOSTS = ["history.example.org"]
    build_mixed_site()
    urls = sitemap_urls(client, host="history.example.org")
    paths = {urlsplit(url).path for url in urls}
    assert all(url.startswith("http://history.example.org/") for url in urls)
    expected = {"/", "/events/", "/periods/", "/people/", "/places/", "/sources/", "/data/"}
    for model in (Event, Period, Person, Place, Source):
        expected |= {row.get_absolute_url() for row in model.objects.published()}
    assert paths == expected
    assert not any(SECRET in path for path in paths)
    event = Event.objects.get(slug="open-event")
    lastmod = urls["http://history.example.org/events/open-event/"]
    assert lastmod == timezone.localtime(event.modified_at).date().isoformat()


def test_a_large_sitemap_is_split_into_pages_of_the_index(client, monkeypatch):
    build_mixed_site()
    EventFactory.create_batch(23)
    monkeypatch.setattr(EventSitemap, "limit", 10)
    index = etree.fromstring(client.get(reverse("timeline:sitemap")).content)
    locs = [loc.text for loc in index.iter(f"{SITEMAP}loc") if "events" in loc.text]
    assert locs == [
        "http://testserver/sitemap-events.xml",
        "http://testserver/sitemap-events.xml?p=2",
        "http://testserver/sitemap-events.xml?p=3",
    ]
    urls = sitemap_urls(client)
    events = {url for url in urls if "/events/" in url and not url.endswith("/events/")}
    assert len(events) == 25
    for page in ("0", "4", "x", "9" * 5000):
        assert client.get("/sitemap-events.xml", {"p": page}).status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_endless_urls(client):
    response = client.get(reverse("timeline:robots"))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    assert robots.site_maps() == ["http://testserver/sitemap.xml"]
    allowed = ["/", "/events/", "/events/some-event/", "/people/", "/people/?page=2", "/data/"]
    refused = [
        "/admin/",
        "/admin/timeline/event/",
        "/events/?period=x&kind=y",
        "/events/?kind=y&period=x",
        "/events/?sort=-date",
        "/events/feed/?q=x",
        "/events/export.csv?q=x",
        "/search/?q=nagy",
        "/api/events/?q=x",
    ]
    for path in allowed:
        assert robots.can_fetch("*", f"http://testserver{path}"), path
    for path in refused:
        assert not robots.can_fetch("*", f"http://testserver{path}"), path


@pytest.mark.parametrize("count", [5, 500])
def test_feeds_and_sitemaps_stay_within_a_fixed_query_budget(client, count):
    build_site(count)
    urls = [
        reverse("timeline:feed"),
        reverse("timeline:event-feed") + "?period=era&kind=military&q=event&start=1900",
        reverse("timeline:event-feed") + "?person=person-1&place=place-1&source=article",
        reverse("timeline:sitemap"),
        "/sitemap-events.xml",
        "/sitemap-people.xml",
        reverse("timeline:robots"),
    ]
    counts = {url: count_queries(client, url) for url in urls}
    # The sitemap index counts each section and reads its latest change: 11.
    assert max(counts.values()) <= 11, counts
    add_events(300, first=count)
    assert counts == {url: count_queries(client, url) for url in urls}
