"""The timeline's order and each of its filters are served by indexes, on both databases.

Tiny test tables would let a planner prefer a plain scan, so on PostgreSQL the
session forbids sequential scans and sorts: a plan that still shows one has no
index to use instead. SQLite's planner says outright when it scans a whole table
or sorts in a temporary tree.
"""

import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils.http import urlencode

from tests.test_queries import build_site
from timeline.filters import EventFilter
from timeline.models import Event, Person, Topic

pytestmark = pytest.mark.django_db

FILTERS = {
    "default order": {},
    "latest first": {"sort": "-date"},
    "by title": {"sort": "title"},
    "period": {"period": "era"},
    "person": {"person": "person-1"},
    "place": {"place": "place-1"},
    "kind": {"kind": "military"},
    "source": {"source": "article"},
    "date range": {"start": "1940", "end": "1950"},
}


def plan(params):
    filterset = EventFilter(
        QueryDict(urlencode(params)), queryset=Event.objects.published().by_period()
    )
    assert filterset.is_valid(), filterset.errors
    queryset = filterset.qs[:25]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()


def full_scans(text, sorting=True):
    """Return the lines of a plan that read a whole table (or, with sorting, sort rows)."""
    if connection.vendor == "postgresql":
        pattern = r"Seq Scan|\bSort\b" if sorting else r"Seq Scan"
        return [line for line in text.splitlines() if re.search(pattern, line)]
    pattern = r"SCAN \w+$|TEMP B-TREE FOR ORDER BY" if sorting else r"SCAN \w+$"
    return [line for line in text.splitlines() if re.search(pattern, line.strip())]


@pytest.mark.parametrize("name", FILTERS)
def test_the_timeline_reads_through_indexes(name):
    build_site(30)
    text = plan(FILTERS[name])
    # A date range may be read through the date index and its few rows sorted.
    assert not full_scans(text, sorting=name != "date range"), text


def test_previous_and_next_start_from_the_event_in_the_index():
    build_site(30)
    event = Event.objects.get(slug="event-10")
    for queryset in (
        Event.objects.published().after(event),
        Event.objects.published().before(event),
    ):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_sort = off")
        text = queryset[:1].explain()
        assert not full_scans(text), text


def test_a_topics_key_people_and_events_come_from_the_featured_indexes():
    """The home page's few featured rows, not every person and event checked in turn."""
    build_site(30)
    topic = Topic.objects.default()
    plans = {}
    for name, queryset in (
        ("person_featured", Person.objects.published().featured().of_topic(topic)),
        ("event_featured", Event.objects.key_events(topic)),
    ):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        plans[name] = queryset.explain()
    for name, text in plans.items():
        assert name in text, text
