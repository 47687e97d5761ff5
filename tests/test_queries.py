"""Every public page runs a fixed number of queries, whatever the amount of data."""

import datetime

import factory
import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from tests.factories import (
    EventKindFactory,
    PeriodFactory,
    PersonFactory,
    PlaceFactory,
    SourceFactory,
    TopicFactory,
)
from timeline.context_processors import default_topic
from timeline.filters import EventFilter, taxonomy_choices
from timeline.models import Citation, Event, EventKind, Participation, Period, Person, Place, Source

MAX_QUERIES = 8
pytestmark = pytest.mark.django_db


def build_site(count):
    """Make count events, each with a place, a participant, a kind and two citations."""
    source = SourceFactory(slug="article")
    SourceFactory(slug="report", known_through=source)
    topic = TopicFactory()
    Citation.objects.create(key="lead", source=source, topic=topic)
    era = PeriodFactory(slug="era", date="1900/2000")
    PeriodFactory(slug="war", date="1940/1945", parent=era)
    Citation.objects.create(key="era", source=source, period=era)
    people = [PersonFactory(slug=f"person-{n}", featured=n < 3) for n in range(5)]
    PlaceFactory.create_batch(5, slug=factory.Iterator(f"place-{n}" for n in range(5)))
    EventKindFactory(slug="military")
    add_events(count)
    for person in people:
        Citation.objects.create(key=f"{person.slug}-bio", source=source, person=person)


def add_events(count, first=0):
    """Add events numbered from first, spread over the people, places and periods."""
    source = Source.objects.get(slug="article")
    era, war = Period.objects.get(slug="era"), Period.objects.get(slug="war")
    people = list(Person.objects.order_by("slug"))
    places = list(Place.objects.order_by("slug"))
    kind = EventKind.objects.get(slug="military")
    start = datetime.date(1900, 1, 1)
    events = Event.objects.bulk_create(
        Event(
            slug=f"event-{n}",
            title=f"Event {n}",
            date=(start + datetime.timedelta(days=n * 30)).isoformat(),
            date_earliest=start + datetime.timedelta(days=n * 30),
            date_latest=start + datetime.timedelta(days=n * 30),
            date_reading=f"{start + datetime.timedelta(days=n * 30):%-d %B %Y}",
            summary="Something happened.",
            body=f"It happened.[^event-{n}-a]",
            period=war if n % 2 else era,
            # bulk_create skips save(): fill the derived order column as makedata does.
            period_position=war.position if n % 2 else era.position,
            status=Event.Status.PUBLISHED,
            featured=n < 4,
        )
        for n in range(first, first + count)
    )
    Participation.objects.bulk_create(
        Participation(event=event, person=people[n % 5], role="took part")
        for n, event in enumerate(events)
    )
    Event.places.through.objects.bulk_create(
        Event.places.through(event=event, place=places[n % 5]) for n, event in enumerate(events)
    )
    Event.kinds.through.objects.bulk_create(
        Event.kinds.through(event=event, eventkind=kind) for event in events
    )
    Citation.objects.bulk_create(
        Citation(key=f"{event.slug}-{suffix}", source=source, event=event, locator="Lead")
        for event in events
        for suffix in "ab"
    )


def urls():
    return [
        reverse("timeline:home"),
        reverse("timeline:period-list"),
        reverse("timeline:period-detail", args=["era"]),
        reverse("timeline:event-list"),
        reverse("timeline:event-list") + "?period=era&kind=military&q=event&start=1900",
        reverse("timeline:event-list") + "?person=person-1&place=place-1&source=article",
        reverse("timeline:event-list") + "?sort=-date&page=1",
        reverse("timeline:event-detail", args=["event-3"]),
        reverse("timeline:person-list"),
        reverse("timeline:person-detail", args=["person-1"]),
        reverse("timeline:place-list"),
        reverse("timeline:place-detail", args=["place-1"]),
        reverse("timeline:source-list"),
        reverse("timeline:source-detail", args=["article"]),
        reverse("timeline:search") + "?q=event",
    ]


def query_counts(client):
    """Count each page's queries with the site-wide lists cached, as they are between edits.

    The page cache is emptied before each page, so the page itself is built afresh.
    """
    counts = {}
    for url in urls():
        cache.clear()
        default_topic()
        taxonomy_choices()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


@pytest.mark.parametrize("count", [5, 500])
def test_every_page_stays_within_the_query_budget(client, count):
    build_site(count)
    counts = query_counts(client)
    over = {url: n for url, n in counts.items() if n > MAX_QUERIES}
    assert not over, f"pages over {MAX_QUERIES} queries: {over}"


def test_query_count_does_not_grow_with_the_data(client):
    build_site(5)
    small = query_counts(client)
    add_events(300, first=5)
    large = query_counts(client)
    assert small == large


def test_query_counts_per_page_type(client):
    """Record what each page costs, so a change in cost shows up in review."""
    build_site(20)
    counts = query_counts(client)
    # A count that sorts nothing, the page's keys from the order's index, the page's
    # rows by key, their places and their people.
    assert counts[reverse("timeline:event-list")] == 5
    # Seven, and one for its pictures (with their images and sources).
    assert counts[reverse("timeline:event-detail", args=["event-3"])] == 8
    # The person, the count of their events, one page of their keys, those events,
    # their citations, their pictures.
    assert counts[reverse("timeline:person-detail", args=["person-1"])] == 6


def test_a_page_after_an_edit_costs_at_most_three_more_queries(client):
    """The topic, the periods and the kinds are read again once after each change."""
    build_site(20)
    warm = query_counts(client)[reverse("timeline:event-list")]
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(reverse("timeline:event-list"))
    assert len(cold) == warm + 3


@pytest.mark.parametrize("params", [{}, {"sort": "-date"}, {"sort": "title"}, {"period": "era"}])
def test_the_pages_of_the_timeline_hold_every_event_once_in_order(client, params):
    """Pages read their keys first and their rows second; together they are the order."""
    build_site(60)
    expected = EventFilter(QueryDict(urlencode(params)), queryset=Event.objects.by_period())
    expected = list(expected.qs.published().values_list("slug", flat=True))
    shown, number, more = [], 0, True
    while more:
        number += 1
        page = client.get(reverse("timeline:event-list"), {**params, "page": number})
        shown += [event.slug for event in page.context["events"]]
        more = page.context["page_obj"].has_next()
    assert len(expected) > 25 and number > 1
    assert shown == expected
