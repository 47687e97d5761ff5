"""Anonymous pages come from the cache until the content changes, and never after."""

import gzip
import os
import socket

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import IN_CI
from tests.factories import (
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    PeriodFactory,
    PlaceFactory,
    TopicFactory,
)
from timeline.cache import GENERATION_KEY, content_generation, request_generation
from timeline.models import Event
from timeline.views import KeysFirstPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    TopicFactory()
    return EventFactory(slug="tanks", title="Tanks enter Budapest", date="1956-11-04")


def get_counting(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def test_a_second_anonymous_request_is_served_from_the_cache(client, event):
    first, cold = get_counting(client, event.get_absolute_url())
    second, warm = get_counting(client, event.get_absolute_url())
    assert cold > 0 and warm == 0
    assert second.content == first.content


def test_an_edit_shows_on_the_next_anonymous_request(client, event):
    client.get(event.get_absolute_url())
    client.get(reverse("timeline:event-list"))
    event.title = "Soviet tanks enter Budapest"
    event.save()
    assert "Soviet tanks enter Budapest" in client.get(event.get_absolute_url()).content.decode()
    assert (
        "Soviet tanks enter Budapest" in client.get(reverse("timeline:event-list")).content.decode()
    )


def test_withdrawing_and_linking_change_the_pages_too(client, event):
    assert client.get(event.get_absolute_url()).status_code == 200
    budapest = PlaceFactory(slug="budapest", name="Budapest")
    before = client.get(budapest.get_absolute_url()).content.decode()
    event.places.add(budapest)  # a many-to-many change, with no save of either row
    assert "Tanks enter Budapest" not in before
    assert "Tanks enter Budapest" in client.get(budapest.get_absolute_url()).content.decode()
    Event.objects.get(pk=event.pk).delete()
    assert client.get(event.get_absolute_url()).status_code == 404


def test_signed_in_editors_are_never_served_or_stored(admin_client, client, event):
    url = event.get_absolute_url()
    admin_client.get(url)
    _, editor_again = get_counting(admin_client, url)
    assert editor_again > 0
    _, reader_first = get_counting(client, url)
    assert reader_first > 0  # the editor's page was not stored for readers


def test_pages_answer_304_to_a_matching_etag(client, event):
    response = client.get(event.get_absolute_url())
    assert response["Last-Modified"] and "no-cache" in response["Cache-Control"]
    again = client.get(event.get_absolute_url(), headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_kept_page_carries_its_etag_and_is_not_hashed_again(client, event, monkeypatch):
    first = client.get(event.get_absolute_url())
    hashed = []
    monkeypatch.setattr(
        "django.middleware.http.set_response_etag", lambda response: hashed.append(response)
    )
    second = client.get(event.get_absolute_url())
    assert second["ETag"] == first["ETag"] and first["ETag"]
    assert hashed == []


def test_a_public_request_reads_the_content_generation_once(client, event, monkeypatch):
    reads = []
    get = cache.get

    def counting_get(key, *args, **kwargs):
        reads.append(key)
        return get(key, *args, **kwargs)

    period = PeriodFactory()
    EventFactory(period=period, status=Event.Status.PUBLISHED)
    monkeypatch.setattr(cache, "get", counting_get)
    response = client.get(period.get_absolute_url())
    assert response.status_code == 200
    kept = [key for key in reads if key.startswith("timeline:") and ":page:" not in key]
    assert len(kept) >= 3  # the cited text, the page's metadata, the list of events
    assert reads.count(GENERATION_KEY) == 1


def test_a_change_within_a_request_moves_its_generation_on(event):
    token = request_generation.set(content_generation())
    try:
        before = content_generation()
        event.save()
        assert content_generation() > before
    finally:
        request_generation.reset(token)


def test_public_html_is_compressed_and_the_admin_is_not(client, event):
    response = client.get(reverse("timeline:event-list"), headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert b"Tanks enter Budapest" in gzip.decompress(response.content)
    login = client.get(reverse("admin:login"), headers={"accept-encoding": "gzip"})
    assert not login.has_header("Content-Encoding")


def redis_url():
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if IN_CI:
            pytest.fail("CI needs Redis on 127.0.0.1:6379 for the shared page cache")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return url


def test_the_redis_cache_shares_pages_and_invalidation(client, event, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url(),
        }
    }
    from django.core.cache import cache

    cache.clear()
    client.get(event.get_absolute_url())
    _, warm = get_counting(client, event.get_absolute_url())
    assert warm == 0
    event.title = "Edited in Redis"
    event.save()
    assert "Edited in Redis" in client.get(event.get_absolute_url()).content.decode()
    cache.clear()


def test_withdrawing_through_the_admin_takes_the_cached_page_down(client, event, superuser):
    url = event.get_absolute_url()
    assert client.get(url).status_code == 200  # now cached
    editor = type(client)()
    editor.force_login(superuser)
    editor.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "withdraw", "_selected_action": [event.pk]},
    )
    assert Event.objects.get(pk=event.pk).status == "withdrawn"
    assert client.get(url).status_code == 404


def listed_counts(client, url_name, rows, attribute="event_count"):
    page = client.get(reverse(url_name)).context[rows]
    return {row.slug: getattr(row, attribute) for row in page}


def test_list_counts_follow_a_withdrawal(client, event):
    """The lists' counts are kept site-wide until content changes, so they must follow it."""
    budapest = PlaceFactory(slug="budapest", name="Budapest")
    event.places.add(budapest)
    event.period = PeriodFactory()
    event.save()
    person = ParticipationFactory(event=event).person
    source = CitationFactory(event=event).source
    lists = {
        "place": ("timeline:place-list", "places", "event_count"),
        "person": ("timeline:person-list", "people", "event_count"),
        "period": ("timeline:period-list", "periods", "event_count"),
        "source": ("timeline:source-list", "sources", "citation_count"),
    }
    slugs = {"place": "budapest", "person": person.slug, "source": source.slug}
    slugs["period"] = event.period.slug
    before = {kind: listed_counts(client, *lists[kind])[slugs[kind]] for kind in lists}
    assert before == {"place": 1, "person": 1, "period": 1, "source": 1}
    event.status = Event.Status.WITHDRAWN
    event.save()
    after = {kind: listed_counts(client, *lists[kind])[slugs[kind]] for kind in lists}
    assert after == {"place": 0, "person": 0, "period": 0, "source": 0}


def test_a_renamed_place_shows_in_the_timelines_kept_rows(client, event):
    """Rows are kept across pages and filters; a change to what they name renews them."""
    budapest = PlaceFactory(slug="budapest", name="Budapest")
    event.places.add(budapest)
    assert ">Budapest</a>" in client.get(reverse("timeline:event-list")).content.decode()
    budapest.name = "Buda and Pest"
    budapest.save()
    page = client.get(reverse("timeline:event-list"), {"place": "budapest"}).content.decode()
    assert ">Buda and Pest</a>" in page and ">Budapest</a>" not in page


def test_a_persons_kept_list_follows_a_new_participation(client, event):
    """A person's count and keys are kept until content changes, so they must follow it."""
    person = ParticipationFactory(event=event).person
    url = person.get_absolute_url()
    assert client.get(url).context["paginator"].count == 1
    later = EventFactory(slug="later", title="A later meeting", date="1957-01-01")
    ParticipationFactory(event=later, person=person)
    response = client.get(url)
    assert response.context["paginator"].count == 2
    assert [event.slug for event in response.context["events"]] == ["tanks", "later"]


def test_kept_keys_give_the_pages_the_walked_order_gives(client, monkeypatch, event):
    person = ParticipationFactory(event=event).person
    for number in range(30):
        dated = EventFactory(slug=f"e{number}", date=f"19{50 + number % 7}-0{1 + number % 9}")
        ParticipationFactory(event=dated, person=person)
    url = person.get_absolute_url()

    def pages():
        cache.clear()
        return [
            [event.slug for event in client.get(url, {"page": page}).context["events"]]
            for page in (1, 2)
        ]

    kept = pages()
    monkeypatch.setattr(KeysFirstPaginator, "KEPT_KEYS", 0)
    assert pages() == kept
    assert sorted(kept[0] + kept[1]) == sorted(["tanks", *(f"e{n}" for n in range(30))])


def test_an_edited_citation_shows_in_the_kept_references(client, event):
    citation = CitationFactory(event=event, locator="Lead")
    assert "Lead" in client.get(event.get_absolute_url()).content.decode()
    citation.locator = "Section Aftermath"
    citation.save()
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Section Aftermath" in html and ">Lead<" not in html


def test_the_kept_map_and_drawing_follow_a_new_event(client, event):
    budapest = PlaceFactory(slug="budapest", name="Budapest", latitude=47.5, longitude=19.05)
    event.places.add(budapest)
    events = reverse("timeline:event-list")
    places = client.get(events, {"view": "map"}).context["places"]
    assert [(place.slug, place.event_count) for place in places] == [("budapest", 1)]
    assert client.get(events, {"view": "timeline"}).context["drawing"].total == 1
    EventFactory(slug="later", date="1957-01-01").places.add(budapest)
    places = client.get(events, {"view": "map"}).context["places"]
    assert [(place.slug, place.event_count) for place in places] == [("budapest", 2)]
    assert client.get(events, {"view": "timeline"}).context["drawing"].total == 2


def test_the_kept_map_and_references_hold_text_and_numbers_not_rows(client, event, monkeypatch):
    event.places.add(PlaceFactory(slug="budapest", latitude=47.5, longitude=19.05))
    CitationFactory(event=event)
    kept = {}
    get_or_set = cache.get_or_set

    def recording(key, default, *args, **kwargs):
        kept[key] = get_or_set(key, default, *args, **kwargs)
        return kept[key]

    monkeypatch.setattr(cache, "get_or_set", recording)
    response = client.get(reverse("timeline:event-list"), {"view": "map"})
    assert [place.slug for place in response.context["places"]] == ["budapest"]
    response = client.get(event.get_absolute_url())
    assert [source.pk for source in response.context["reference_sources"]]
    parts = {key: value for key, value in kept.items() if ":events-map:" in key or ":cited:" in key}
    assert len(parts) == 2
    for value in parts.values():
        assert all(isinstance(part, (str, int)) for part in value.values()), value


def test_a_parameter_no_filter_reads_stays_out_of_the_kept_drawings_links(client, event):
    """The drawing is kept by its filters' values, so its links carry those alone."""
    params = {"view": "timeline", "utm_source": "newsletter", "q": "tanks"}
    levels = client.get(reverse("timeline:event-list"), params).context["zoom"]["levels"]
    assert all("q=tanks" in level["url"] for level in levels)
    assert not any("utm_source" in level["url"] for level in levels)


def test_the_cache_keeps_an_api_page_as_bytes_and_headers(client, event):
    url = reverse("api:event-list")
    first = client.get(url)
    second = client.get(url)
    assert second.content == first.content and second["Content-Type"] == first["Content-Type"]
    assert type(second) is HttpResponse
