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


def whole_table_reads(text, table, index):
    """Return the plan's reads of table that go through neither index nor a lookup by key.

    A planner may read a topic's few featured rows through the partial index, or
    reach them from the topic's events and look each up by its key, as its statistics
    say; either reads a few rows. Reading the table, or another index of it, without
    a condition checks every row in turn.
    """
    lines = text.splitlines()
    reads = []
    for number, line in enumerate(lines):
        if connection.vendor == "postgresql":
            if not re.search(rf"Scan (using \S+ )?on {table}\b", line) or index in line:
                continue
            details = []
            for detail in lines[number + 1 :]:
                if "->" in detail:
                    break
                details.append(detail)
            if not any("Index Cond" in detail or "Recheck Cond" in detail for detail in details):
                reads.append(line.strip())
        elif re.search(rf"\bSCAN {table}\b", line) and index not in line:
            reads.append(line.strip())
    return reads


def test_a_topics_key_people_and_events_come_from_the_featured_indexes():
    """The home page's few featured rows, not every person and event checked in turn.

    The featured rows alone come through the partial indexes. With the topic's
    condition too, a planner may instead reach the few rows from the topic's events,
    each by its key, as its statistics (left by earlier tests) say: either way no
    plan reads the whole table.
    """
    build_site(30)
    topic = Topic.objects.default()
    for table, index, featured, of_topic in (
        (
            "timeline_person",
            "person_featured",
            Person.objects.published().featured().order_by("sort_name", "name"),
            Person.objects.published().featured().of_topic(topic),
        ),
        (
            "timeline_event",
            "event_featured",
            Event.objects.published().featured().chronological(),
            Event.objects.key_events(topic),
        ),
    ):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        text = featured.explain()
        assert index in text, text
        text = of_topic.explain()
        assert not whole_table_reads(text, table, index), text
