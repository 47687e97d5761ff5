"""Downloads: the filtered timeline as CSV and JSON, streamed; the dataset; the bibliography."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.opendata import SECRET, body_of, build_mixed_site, count_queries
from tests.test_queries import add_events, build_site
from timeline import backup, exports
from timeline.filters import EventFilter
from timeline.models import Citation, Event, Participation, Period, Person, Place, Source

pytestmark = pytest.mark.django_db

FILTERS = [
    {},
    {"start": "1950", "end": "1960"},
    {"place": "open-city"},
    {"person": "open-person"},
    {"kind": "military"},
    {"period": "era"},
    {"q": "open"},
    {"source": "open-source", "sort": "title"},
    {"sort": "-date"},
]


def read_csv(client, params):
    response = client.get(reverse("timeline:export-csv"), params)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="histsite-events.csv"'
    return list(csv.DictReader(io.StringIO(body_of(response))))


def read_json(client, params):
    response = client.get(reverse("timeline:export-json"), params)
    assert response.status_code == 200
    assert response.streaming
    return json.loads(body_of(response))


def listed_slugs(client, params):
    """Return the slugs the timeline page itself shows for these filters."""
    response = client.get(reverse("timeline:event-list"), params)
    assert response.status_code == 200
    return [event.slug for event in response.context["events"]]


def test_the_csv_has_a_row_per_event_with_its_date_places_people_and_citations(client):
    build_mixed_site()
    rows = read_csv(client, {})
    assert list(rows[0]) == list(exports.COLUMNS)
    by_slug = {row["slug"]: row for row in rows}
    assert set(by_slug) == {"open-event", "open-other"}
    row = by_slug["open-event"]
    assert row["title"] == "Open event"
    assert row["date"] == "1956-11-04"
    assert (row["date_earliest"], row["date_latest"]) == ("1956-11-04", "1956-11-04")
    assert row["date_reading"] == "4 November 1956"
    assert row["period"] == ""  # its period is a draft
    assert row["places"] == "Open City"
    assert row["people"] == "Open Person"
    assert row["kinds"] == "military"
    assert row["citation_count"] == "1"  # the draft source's citation is not counted
    assert row["url"] == "http://testserver/events/open-event/"
    other = by_slug["open-other"]
    assert (other["date"], other["date_reading"]) == ("1945~", "c. 1945")
    # "Circa" widens the span by a year each way, as the timeline reads it.
    assert (other["date_earliest"], other["date_latest"]) == ("1944-01-01", "1946-12-31")
    assert other["period"] == "Era"


def test_the_json_export_carries_the_licence_and_lists(client):
    build_mixed_site()
    data = read_json(client, {"place": "open-city"})
    assert data["licence"] == "CC BY-SA 4.0"
    assert data["licence_url"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert data["attribution"].startswith("Text adapted")
    assert data["timeline"] == "http://testserver/events/?place=open-city"
    event = next(item for item in data["events"] if item["slug"] == "open-event")
    assert event["places"] == [{"slug": "open-city", "name": "Open City"}]
    assert event["people"] == [{"slug": "open-person", "name": "Open Person", "role": "led it"}]
    assert event["period"] is None
    assert event["citation_count"] == 1


@pytest.mark.parametrize("params", FILTERS)
def test_exports_answer_as_the_timeline_does(client, params):
    build_mixed_site()
    expected = listed_slugs(client, params)
    assert [row["slug"] for row in read_csv(client, params)] == expected
    assert [event["slug"] for event in read_json(client, params)["events"]] == expected


@pytest.mark.parametrize("name", ["timeline:export-csv", "timeline:export-json"])
def test_bad_filters_answer_400_with_a_sentence(client, name):
    response = client.get(reverse(name), {"start": "1960", "end": "1950"})
    assert response.status_code == 400
    assert not response.streaming
    assert "The date range is reversed" in response.content.decode()
    response = client.get(reverse(name), {"person": "nobody at all"})
    assert response.status_code == 400
    assert "No person is named “nobody at all”." in response.content.decode()


def test_exports_read_their_rows_in_chunks_with_a_fixed_number_of_queries_each(client, monkeypatch):
    build_site(30)
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 10)
    # One query for the events, read a chunk at a time, and for each chunk one
    # query each for its places, its people and its kinds.
    three_chunks = count_queries(client, reverse("timeline:export-csv"))
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 30)
    one_chunk = count_queries(client, reverse("timeline:export-csv"))
    assert (one_chunk, three_chunks) == (1 + 3, 1 + 3 * 3)


def test_the_csv_stream_starts_before_the_rows_are_read(client):
    build_site(5)
    response = client.get(reverse("timeline:export-csv"))
    with CaptureQueriesContext(connection) as queries:
        chunks = iter(response.streaming_content)
        header = next(chunks)
    assert header.decode().startswith("slug,title,date,")
    assert len(queries) == 0
    # The rows follow together, not one piece (and one system call) a row.
    rest = list(chunks)
    assert len(rest) == 1 and rest[0].decode().count("\n") == 5


def test_a_long_download_goes_out_in_pieces_of_64_kib(client, monkeypatch):
    build_site(40)
    monkeypatch.setattr(exports, "STREAM_PIECE", 1024)
    pieces = list(client.get(reverse("timeline:export-csv")).streaming_content)
    assert len(pieces) > 3
    assert all(len(piece) >= 1024 for piece in pieces[1:-1])
    assert len(b"".join(pieces).decode().splitlines()) == 41


def test_the_dataset_is_the_published_content_in_the_fixtures_format(client):
    build_mixed_site()
    response = client.get(reverse("timeline:dataset"))
    assert response.streaming
    assert response["Link"] == '<https://creativecommons.org/licenses/by-sa/4.0/>; rel="license"'
    text = body_of(response)
    assert SECRET not in text.lower()
    rows = json.loads(text)
    keys = {
        (row["model"], tuple(row["fields"].get("slug", row["fields"].get("key", ""))))
        for row in rows
    }
    assert all("pk" not in row for row in rows)
    events = [row for row in rows if row["model"] == "timeline.event"]
    assert {row["fields"]["slug"] for row in events} == {"open-event", "open-other"}
    event = next(row for row in events if row["fields"]["slug"] == "open-event")
    assert event["fields"]["places"] == [["open-city"]]
    assert event["fields"]["period"] is None
    assert "created_by" not in event["fields"] and "search_text" not in event["fields"]
    assert keys


@pytest.mark.parametrize("model", exports.VALUE_MODELS, ids=lambda model: model.__name__)
def test_rows_written_from_values_equal_what_the_serializer_writes(content, model):
    """The article's events, participants and citations, with drafts among what they name."""
    event = Event.objects.published().filter(period__isnull=False).first()
    Period.objects.filter(pk=event.period_id).update(status="draft")
    Place.objects.filter(pk__in=event.places.values("pk")[:1]).update(status="draft")
    Person.objects.filter(pk__in=Participation.objects.values("person")[:1]).update(status="draft")
    assert Event.objects.published().exclude(time=None).exists()  # a time, written as text

    def parsed(records):
        return json.loads("[" + ", ".join(records(model)) + "]")

    by_values = parsed(exports.value_records)
    assert len(by_values) > 20
    assert by_values == parsed(exports.serialized_records)


def test_the_dataset_loads_back_as_the_fixtures_do(client, content):
    """The article's dataset, loaded into an empty database, gives the same published rows."""
    rows = json.loads(body_of(client.get(reverse("timeline:dataset"))))
    models = (Event, Period, Person, Place, Source)
    before = {
        model: sorted(model.objects.published().values_list("slug", flat=True)) for model in models
    }
    citations = Citation.objects.public().count()
    participations = Participation.objects.count()
    backup.delete_content()
    backup.load([("histsite.json", rows)])
    after = {
        model: sorted(model.objects.published().values_list("slug", flat=True)) for model in models
    }
    assert after == before
    assert Citation.objects.count() == citations
    assert Participation.objects.count() == participations


def test_the_bibliography_is_csl_json_of_published_sources(client):
    build_mixed_site()
    response = client.get(reverse("timeline:bibliography"))
    assert response["Content-Type"] == "application/json"
    items = json.loads(response.content)
    assert {item["id"] for item in items} == {"open-source", "open-document"}
    assert all(item["type"] == "book" and item["title"] for item in items)


def test_the_data_page_lists_every_download_with_the_licence(client):
    build_mixed_site()
    html = client.get(reverse("timeline:data")).content.decode()
    for url in (
        "/data/histsite.json",
        "/data/bibliography.json",
        "/events/export.csv",
        "/events/export.json",
        "/feed/",
        "/api/",
        "/api/docs/",
        "/api/schema/",
        "/sitemap.xml",
    ):
        assert f'href="{url}' in html, url
    assert 'rel="license">CC BY-SA 4.0</a>' in html
    assert "Text adapted from an article available under CC BY-SA 4.0." in html


def test_no_download_shows_unpublished_content(client):
    build_mixed_site()
    for name in (
        "timeline:export-csv",
        "timeline:export-json",
        "timeline:dataset",
        "timeline:bibliography",
        "timeline:data",
    ):
        text = body_of(client.get(reverse(name))).lower()
        assert SECRET not in text, name


def test_filters_match_the_timeline_filterset(client):
    """The export's rows are the FilterSet's rows, in its order."""
    build_mixed_site()
    params = {"start": "1940", "sort": "title"}
    filterset = EventFilter(params, queryset=Event.objects.published().by_period())
    assert filterset.is_valid()
    expected = [event.slug for event in filterset.qs]
    assert [row["slug"] for row in read_csv(client, params)] == expected


@pytest.mark.parametrize("count", [5, 500])
def test_downloads_stay_within_a_fixed_query_budget(client, count):
    build_site(count)
    urls = [
        reverse("timeline:export-csv"),
        reverse("timeline:export-json") + "?period=era&kind=military&q=event&start=1900",
        reverse("timeline:export-csv") + "?person=person-1&place=place-1&source=article",
        reverse("timeline:data"),
        reverse("timeline:dataset"),
        reverse("timeline:bibliography"),
    ]
    counts = {url: count_queries(client, url) for url in urls}
    # The dataset reads each model once, with its links (pictures and their links too),
    # and the slugs of each model that events, participants and citations name: 19.
    assert max(counts.values()) <= 19, counts
    add_events(300, first=count)
    assert counts == {url: count_queries(client, url) for url in urls}
