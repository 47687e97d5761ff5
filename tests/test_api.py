"""The read-only JSON API: published rows only, the timeline's filters, pages, caching, limits."""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.settings import api_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from histsite.wsgi import application
from tests.opendata import SECRET, build_mixed_site, count_queries
from tests.test_exports import FILTERS, listed_slugs
from tests.test_queries import add_events, build_site
from timeline.models import Event

pytestmark = pytest.mark.django_db

LISTS = ["event", "person", "place", "period", "source", "citation"]


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_the_root_links_every_list(client):
    data = get_json(client, reverse("api:api-root"))
    assert data == {
        "events": "http://testserver/api/events/",
        "people": "http://testserver/api/people/",
        "places": "http://testserver/api/places/",
        "periods": "http://testserver/api/periods/",
        "sources": "http://testserver/api/sources/",
        "citations": "http://testserver/api/citations/",
    }


def test_an_event_has_its_edtf_date_bounds_reading_and_links(client):
    build_mixed_site()
    event = get_json(client, reverse("api:event-detail", args=["open-other"]))
    assert event["date"] == "1945~"
    assert (event["date_earliest"], event["date_latest"]) == ("1944-01-01", "1946-12-31")
    assert event["date_reading"] == "c. 1945"
    assert event["url"] == "http://testserver/api/events/open-other/"
    assert event["page_url"] == "http://testserver/events/open-other/"
    assert event["period"] == {
        "slug": "era",
        "title": "Era",
        "url": "http://testserver/api/periods/era/",
    }
    assert event["places"] == [
        {"slug": "open-city", "name": "Open City", "url": "http://testserver/api/places/open-city/"}
    ]
    assert event["citation_count"] == 1
    citations = get_json(client, event["citations"])
    assert [item["key"] for item in citations["results"]] == ["open-other-1"]
    assert citations["results"][0]["target"] == event["url"]


def test_each_row_of_a_list_links_to_itself(client):
    """A list's links are made from one address per field, each row's slug put in."""
    build_site(5)
    events = get_json(client, reverse("api:event-list"))["results"]
    assert len(events) == 5
    for event in events:
        assert event["url"] == f"http://testserver/api/events/{event['slug']}/"
        assert event["page_url"] == f"http://testserver/events/{event['slug']}/"
        for person in event["people"]:
            assert person["url"] == f"http://testserver/api/people/{person['slug']}/"
    assert len({person["slug"] for event in events for person in event["people"]}) > 1


def test_a_lists_kept_rows_follow_an_edit_and_serve_another_page_size(client):
    build_site(5)
    first = get_json(client, reverse("api:event-list"))["results"]
    # Another address, so not the page cache: the count and the rows are kept.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("api:event-list") + "?page_size=5").status_code == 200
    assert len(queries) == 1  # the page of rows; not their places, people or kinds
    assert get_json(client, reverse("api:event-list") + "?page_size=6")["results"] == first
    event = Event.objects.get(slug=first[0]["slug"])
    event.title = "Renamed"
    event.save()
    again = get_json(client, reverse("api:event-list") + "?page_size=7")["results"]
    assert again[0]["title"] == "Renamed" and again[1:] == first[1:]


def plain(value):
    """Whether a value is made of JSON's own types alone (no string that carries a row)."""
    if isinstance(value, dict):
        return all(type(key) is str and plain(item) for key, item in value.items())
    if isinstance(value, list):
        return all(plain(item) for item in value)
    return value is None or type(value) in (str, int, float, bool)


def test_kept_rows_are_plain_json_values(client, monkeypatch):
    build_site(5)
    kept = {}
    set_many = cache.set_many

    def recording(values, *args, **kwargs):
        kept.update(values)
        return set_many(values, *args, **kwargs)

    monkeypatch.setattr(cache, "set_many", recording)
    get_json(client, reverse("api:event-list"))
    rows = [value for key, value in kept.items() if ":api-event:" in key]
    assert len(rows) == 5
    assert all(plain(row) for row in rows)


def test_published_rows_pointing_at_drafts_say_nothing_of_them(client):
    build_mixed_site()
    event = get_json(client, reverse("api:event-detail", args=["open-event"]))
    assert event["period"] is None
    assert [place["slug"] for place in event["places"]] == ["open-city"]
    assert [person["slug"] for person in event["people"]] == ["open-person"]
    assert event["citation_count"] == 1
    city = get_json(client, reverse("api:place-detail", args=["open-city"]))
    assert city["parent"] is None
    sub = get_json(client, reverse("api:period-detail", args=["open-sub-period"]))
    assert sub["parent"] is None
    document = get_json(client, reverse("api:source-detail", args=["open-document"]))
    assert document["known_through"] is None


@pytest.mark.parametrize("signed_in", [False, True])
def test_unpublished_content_never_appears_even_to_editors(client, superuser, signed_in):
    """The API is for readers: a signed-in editor sees exactly what anyone sees."""
    build_mixed_site()
    if signed_in:
        client.force_login(superuser)
    for name in LISTS:
        text = client.get(reverse(f"api:{name}-list"), {"page_size": 100}).content.decode()
        assert "open-" in text, name
        assert SECRET not in text.lower(), name
    for name, slug in [
        ("event", "secret-event"),
        ("person", "secret-person"),
        ("place", "secret-place"),
        ("period", "secret-period"),
        ("source", "secret-source"),
        ("citation", "secret-citation-1"),
        ("citation", "secret-event-1"),
    ]:
        response = client.get(reverse(f"api:{name}-detail", args=[slug]))
        assert response.status_code == 404, (name, slug)
    for name, slug in [("event", "open-event"), ("place", "open-city")]:
        text = client.get(reverse(f"api:{name}-detail", args=[slug])).content.decode()
        assert SECRET not in text.lower()


@pytest.mark.parametrize("params", FILTERS)
def test_events_answer_as_the_timeline_does(client, params):
    build_mixed_site()
    data = get_json(client, reverse("api:event-list"), params)
    assert [event["slug"] for event in data["results"]] == listed_slugs(client, params)
    assert data["count"] == len(data["results"])


def test_bad_filters_answer_400_with_the_timelines_sentences(client):
    build_mixed_site()
    url = reverse("api:event-list")
    data = get_json(client, url, {"start": "1960", "end": "1950"}, status=400)
    assert "The date range is reversed" in data["__all__"][0]
    data = get_json(client, url, {"start": "1956-13-45"}, status=400)
    assert data["start"] == [
        "“1956-13-45” is not a date. Give a year (1956), a month (1956-11) or a day (1956-11-04)."
    ]
    data = get_json(client, url, {"person": "nobody"}, status=400)
    assert data["person"] == ["No person is named “nobody”."]


@pytest.mark.parametrize("page", ["0", "-1", "x", "²", "١", "9" * 5000, "1e3", "99"])
def test_bad_page_numbers_answer_404_with_a_sentence(client, page):
    build_mixed_site()
    data = get_json(client, reverse("api:event-list"), {"page": page}, status=404)
    assert data["detail"].startswith("There is no page")


def test_lists_are_paginated(client):
    build_site(60)
    data = get_json(client, reverse("api:event-list"))
    assert data["count"] == 60
    assert len(data["results"]) == 50
    assert data["next"] == "http://testserver/api/events/?page=2"
    second = get_json(client, data["next"])
    assert len(second["results"]) == 10 and second["next"] is None
    small = get_json(client, reverse("api:event-list"), {"page_size": 7})
    assert len(small["results"]) == 7
    large = get_json(client, reverse("api:event-list"), {"page_size": 1000})
    assert len(large["results"]) == 60  # at most 100 a page


def test_answers_carry_etag_and_last_modified_and_revalidate_with_304(client):
    build_mixed_site()
    url = reverse("api:event-list")
    response = client.get(url)
    etag, modified = response["ETag"], response["Last-Modified"]
    assert etag and modified
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # A change of content is a new answer.
    from timeline.models import Event

    Event.objects.get(slug="open-other").save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200


def test_anonymous_clients_are_rate_limited_per_address(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"},
    }
    cache.clear()
    url = reverse("api:event-list")
    # Different query strings, so that the page cache does not answer them.
    for number in range(3):
        assert client.get(url, {"q": f"word{number}"}).status_code == 200
    refused = client.get(url, {"q": "word4"})
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    # Another address has its own allowance.
    assert client.get(url, {"q": "word5"}, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert api_settings.DEFAULT_THROTTLE_RATES["anon"] == "3/minute"


def test_the_schema_and_its_docs_are_served_by_the_site_itself(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/events/",
        "/api/people/",
        "/api/places/",
        "/api/periods/",
        "/api/sources/",
        "/api/citations/",
        "/api/events/{slug}/",
    ):
        assert path in schema["paths"], path
    names = {p["name"] for p in schema["paths"]["/api/events/"]["get"]["parameters"]}
    assert {"q", "period", "person", "place", "kind", "source", "start", "end", "sort"} <= names
    html = client.get(reverse("api:docs")).content.decode()
    assert "<style" not in html and "<script>" not in html
    # Nothing is loaded from another host.
    assert "http://" not in html and "https://" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


@pytest.mark.parametrize("count", [5, 500])
def test_api_stays_within_a_fixed_query_budget(client, count):
    build_site(count)
    urls = [
        reverse("api:event-list"),
        reverse("api:event-list") + "?period=era&kind=military&q=event&start=1900",
        reverse("api:event-list")
        + "?person=person-1&place=place-1&source=article&page=1&page_size=10",
        reverse("api:event-detail", args=["event-3"]),
        reverse("api:person-list"),
        reverse("api:place-list"),
        reverse("api:period-list"),
        reverse("api:source-list"),
        reverse("api:citation-list"),
        reverse("api:citation-list") + "?event=event-3",
        reverse("api:person-detail", args=["person-1"]),
    ]
    counts = {url: count_queries(client, url) for url in urls}
    # A count, the page of rows, and one query for each list it shows (places,
    # people, kinds): 5 for events, and one more for each person, place or source
    # named in the filters.
    assert counts[reverse("api:event-list")] == 5
    assert max(counts.values()) <= 8, counts
    add_events(300, first=count)
    assert counts == {url: count_queries(client, url) for url in urls}


# Building the schema reads no rows, so it is loaded once, when the tests are collected.
schema = schemathesis.openapi.from_wsgi(reverse("api:schema"), application)


@pytest.fixture(scope="module")
def populated(django_db_setup, django_db_blocker):
    """A site with 30 events for every operation to answer from, kept for the module."""
    with django_db_blocker.unblock():
        build_site(30)
    yield
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("flush", verbosity=0, interactive=False)


@pytest.fixture
def keep_test_connection():
    """Keep the test's database connection open across requests made through WSGI.

    Django closes a connection whose transaction state is not its default at the
    start and end of each request; inside a test's transaction that closes it on
    PostgreSQL. Django's own test client disconnects the same handler.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(
    # About 20 s an operation-set on SQLite, 60 s on PostgreSQL: CI runs both.
    max_examples=20,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_answer_matches_the_schema_and_none_is_a_server_error(
    populated, keep_test_connection, case
):
    """Schemathesis sends what the schema allows, and what it does not, to every operation."""
    response = case.call_and_validate(
        # The WSGI transport does not decompress; real clients get gzip.
        headers={"Accept-Encoding": "identity"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
    # 405 answers the methods a read-only API refuses (negative testing sends them).
    assert response.status_code in {200, 400, 404, 405}, (case.path, case.query, response.text)
