"""Full-text search behaves the same on SQLite (FTS5) and PostgreSQL (tsvector)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.factories import EventFactory, ParticipationFactory, PersonFactory, PlaceFactory
from timeline import fulltext, search
from timeline.management.commands import reindex
from timeline.models import Event, Person
from timeline.search import Statement, matches, search_site
from timeline.views import SearchView

pytestmark = pytest.mark.django_db


def titles(queryset):
    return [event.title for event in queryset]


@pytest.mark.parametrize("query", ["karolyi", "Károlyi", "KAROLYI", "tokol", "Tököl"])
def test_search_ignores_accents_and_case(query):
    event = EventFactory(title="Mihály Károlyi stops at Tököl")
    EventFactory(title="Something else")
    assert list(Event.objects.search(query)) == [event]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("buda", True),
        ("budapest", True),
        ("apest", False),
        ("soviet", True),
        ("sov", True),
        ("viet", False),
        ("oviet", False),
    ],
)
def test_search_matches_whole_words_and_their_starts_not_their_middles(query, found):
    EventFactory(title="Soviet troops leave Budapest")
    assert Event.objects.search(query).exists() is found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram index, PostgreSQL only")
def test_a_search_whose_words_match_reads_no_similar_names():
    # The misspelling fallback is for searches that match nothing; where words match,
    # fetching every row with a similar name to discard it cost a third of a search.
    EventFactory(title="Treaty signed")
    EventFactory(title="Treaties")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is read whole
    plan = Event.objects.search("treaty").explain(analyze=True)
    read = re.findall(r"on timeline_event_trigram .* rows=(\d+) loops", plan)
    assert set(read) <= {"0"}
    assert len(Event.objects.search("treaty")) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram ranking, PostgreSQL only")
def test_a_search_whose_words_match_compares_no_names_to_rank_them():
    EventFactory.create_batch(3, title="Treaty signed")

    def similarities(query):
        """Return how often ranking the search compared a name with the words."""
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL track_functions = 'all'")
            before = calls(cursor)
            list(Event.objects.search(query))
            return calls(cursor) - before

    def calls(cursor):
        cursor.execute(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions"
            " WHERE funcname = 'strict_word_similarity'"
        )
        return cursor.fetchone()[0]

    assert similarities("treaty") == 0
    assert similarities("treatty") > 0  # a misspelling is ranked by it


def test_search_needs_every_word():
    event = EventFactory(title="Talks in Moscow", summary="Trade and treaty")
    EventFactory(title="Talks in Vienna")
    assert list(Event.objects.search("talks treaty")) == [event]
    assert list(Event.objects.search("talks moscow vienna")) == []


@pytest.mark.parametrize("query", ['"', "' OR 1=1 --", "a & b | !c", "near(x y)", "x:* <->"])
def test_search_survives_query_syntax_in_user_text(query):
    EventFactory(title="A OR B near c")
    list(Event.objects.search(query))


def test_search_ranks_a_title_match_above_a_body_match():
    in_body = EventFactory(title="A meeting", body="The treaty was discussed at length.")
    in_title = EventFactory(title="The treaty is signed", body="Signatures.")
    assert list(Event.objects.search("treaty")) == [in_title, in_body]


def test_an_order_applied_after_search_wins():
    later = EventFactory(title="Treaty talks", date="1950")
    earlier = EventFactory(title="Other", body="A treaty.", date="1940")
    assert list(Event.objects.search("treaty")) == [later, earlier]
    assert list(Event.objects.search("treaty").chronological()) == [earlier, later]


def test_search_finds_events_through_the_names_of_their_people_and_places():
    event = EventFactory(title="Negotiations")
    ParticipationFactory(event=event, person=PersonFactory(name="Pál Maléter"))
    event.places.add(PlaceFactory(name="Tököl"))
    assert list(Event.objects.search("maleter tokol")) == [event]


def test_the_index_follows_a_renamed_person_and_a_removed_place():
    event = EventFactory(title="Negotiations")
    person = PersonFactory(name="Pál Maléter")
    ParticipationFactory(event=event, person=person)
    place = PlaceFactory(name="Tököl")
    event.places.add(place)
    person.name = "István Kovács"
    person.save()
    event.places.remove(place)
    assert list(Event.objects.search("maleter")) == []
    assert list(Event.objects.search("tokol")) == []
    assert list(Event.objects.search("kovacs")) == [event]


def test_the_index_follows_saves_edits_and_deletes():
    event = EventFactory(title="Armistice signed")
    assert list(Event.objects.search("armistice")) == [event]
    event.title = "Ceasefire signed"
    event.save()
    assert list(Event.objects.search("armistice")) == []
    assert list(Event.objects.search("ceasefire")) == [event]
    event.delete()
    assert list(Event.objects.search("ceasefire")) == []


def test_reindex_makes_bulk_created_rows_findable():
    # bulk_create() sends no signals; the generator of large test data uses it.
    template = EventFactory.build(title="Armistice", summary="Zebra crossing", slug="bulk")
    template.refresh_date_bounds()
    Event.objects.bulk_create([template])
    assert list(Event.objects.search("zebra")) == []
    call_command("reindex", verbosity=0)
    assert titles(Event.objects.search("zebra")) == ["Armistice"]


def test_reindex_measures_the_tables_before_writing_the_index(monkeypatch):
    # Rows bulk-loaded since the last ANALYZE would otherwise be joined by a planner
    # that guesses their tables nearly empty.
    steps = []
    monkeypatch.setattr(
        reindex, "refresh_statistics", lambda using, vacuum=False: steps.append("measure")
    )
    monkeypatch.setattr(fulltext, "reindex", lambda queryset: steps.append("index"))
    call_command("reindex", verbosity=0)
    assert steps[0] == "measure"
    assert steps[-1] == "measure"
    assert "index" in steps


@pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_reindex_outside_a_transaction_clears_the_rows_it_rewrote():
    EventFactory(title="Armistice")
    call_command("reindex", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'timeline_event'"
        )
        assert cursor.fetchone()[0] is not None


def found(results):
    return {result.label: result for result in results}


def test_search_site_marks_matches_and_escapes_the_rest():
    EventFactory(
        title="Talks",
        summary="Treaty <script>alert(1)</script> & more",
        status=Event.Status.PUBLISHED,
    )
    events = found(search_site("treaty", 10))["Events"].rows
    snippet = events[0].snippet
    assert "<mark>Treaty</mark>" in snippet
    assert "<script>" not in snippet
    assert "&amp;" in snippet


def test_search_page_shows_snippets(client):
    EventFactory(title="Talks", summary="A treaty of friendship.", status="published")
    html = client.get(reverse("timeline:search"), {"q": "friend"}).content.decode()
    # PostgreSQL may trim short words at the passage's ends ("A").
    assert re.search(r'<p class="search-snippet">[^<]*treaty of <mark>friendship</mark>', html)


def test_search_shows_the_best_of_each_kind_and_links_to_every_match(client, monkeypatch):
    for number in range(4):
        EventFactory(title=f"Armistice talks {number}", status=Event.Status.PUBLISHED)
    results = found(search_site("armistice", 3))
    assert len(results["Events"].rows) == 3
    assert results["Events"].more
    assert not results["People"].more

    monkeypatch.setattr(SearchView, "LIMIT", 3)
    html = client.get(reverse("timeline:search"), {"q": "armistice"}).content.decode()
    assert "The best 3 results" in html
    assert 'href="/events/?q=armistice">Every event that matches' in html
    timeline = client.get("/events/", {"q": "armistice"}).content.decode()
    assert all(f"Armistice talks {number}" in timeline for number in range(4))


def test_karolyi_finds_mihaly_karolyi_first(content):
    people = found(search_site("karolyi", 10))["People"].rows
    assert people[0].name == "Mihály Károlyi"
    events = Event.objects.published().search("karolyi")
    assert all("Károlyi" in title for title in titles(events[:2]))


def test_a_misspelling_finds_the_name_on_postgresql_only(content):
    found = [person.name for person in Person.objects.search("khrushcev")]
    if connection.vendor == "postgresql":
        assert found[0] == "Nikita Khrushchev"
    else:
        # FTS5 has no fuzzy matching; a trigram table would double the index for this.
        assert found == []
    assert [person.name for person in Person.objects.search("khrushchev")][0] == (
        "Nikita Khrushchev"
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's")
def test_the_search_page_reads_the_index_first_then_each_row_by_its_key():
    EventFactory(title="Armistice", status=Event.Status.PUBLISHED)
    statement = matches(Event, preview=False, count=1, limit=21)
    timeline = Event.objects.published().search("armistice").with_snippets("armistice")[:21]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params_for(["armistice"]))
        plans = {"search page": [row[-1] for row in cursor.fetchall()]}
    plans["timeline"] = timeline.explain().splitlines()
    for name, lines in plans.items():
        assert "SCAN timeline_event_fts VIRTUAL TABLE" in lines[0], (name, lines)
        assert "SEARCH timeline_event USING INTEGER PRIMARY KEY" in lines[1], (name, lines)
    # Ranked by the index alone, the matches come sorted: no snippet is made for a
    # row past the limit.
    assert not any("TEMP B-TREE" in line for line in plans["search page"]), plans
    # Joined on its rowid, the index could be asked once per row of a narrower filter;
    # the timeline's join is on a column SQLite cannot look rows up by.
    assert '"timeline_event_fts"."rowid"' in statement.sql
    assert '"timeline_event_fts"."entry_of"' in str(timeline.query)
    assert [row[1] for row in statement.rows(["armistice"])] == [event.title for event in timeline]


def test_a_search_of_punctuation_alone_finds_nothing_and_says_so(client):
    EventFactory(title="Armistice", status=Event.Status.PUBLISHED)
    response = client.get(reverse("timeline:search"), {"q": "-- !"})
    assert response.status_code == 200
    assert "Nothing matches “-- !”" in response.content.decode()


def test_the_search_page_runs_its_kept_statements_with_each_search_s_words(monkeypatch):
    EventFactory(title="Armistice signed", status=Event.Status.PUBLISHED)
    EventFactory(title="Treaty signed", status=Event.Status.PUBLISHED)
    EventFactory(title="Armistice draft", status=Event.Status.DRAFT)
    monkeypatch.setattr(Statement, "KEPT", {})

    def events(query, user=None):
        return [hit.name for hit in found(search_site(query, 10, user))["Events"].rows]

    assert events("armistice") == ["Armistice signed"]
    kept = dict(Statement.KEPT)
    assert events("treaty") == ["Treaty signed"]
    assert events("signed treaty") == ["Treaty signed"]
    # One word or two: a statement for each number of words, never one for each search.
    assert Statement.KEPT.items() > kept.items()
    assert len(Statement.KEPT) == 2 * len(kept)
    # An editor's search, which shows drafts, has statements of its own.
    editor = get_user_model().objects.create_user("e", password="pw", is_staff=True)
    assert sorted(events("armistice", editor)) == ["Armistice draft", "Armistice signed"]
    assert events("armistice") == ["Armistice signed"]


def test_the_search_page_finds_a_misspelt_name_on_postgresql_only(client, content):
    html = client.get(reverse("timeline:search"), {"q": "khrushcev"}).content.decode()
    assert ("Nikita Khrushchev</a>" in html) == (connection.vendor == "postgresql")
    html = client.get(reverse("timeline:search"), {"q": "khrushchev"}).content.decode()
    assert "Nikita Khrushchev</a>" in html


@pytest.fixture
def common(monkeypatch):
    """Make three matches too many to rank, with statements made for that limit."""
    monkeypatch.setattr(search, "COMMON", 2)
    monkeypatch.setattr(Statement, "KEPT", {})


def test_words_too_common_to_rank_show_the_first_matches_in_order(client, common, monkeypatch):
    for year in (1958, 1945, 1956):
        EventFactory(title=f"Treaty of {year}", date=str(year), status=Event.Status.PUBLISHED)
    EventFactory(title="Treaty draft", date="1940", status=Event.Status.DRAFT)
    PersonFactory(name="Treaty Person")
    results = found(search_site("treaty", 10))
    assert not results["Events"].ranked
    assert [hit.name for hit in results["Events"].rows] == [
        "Treaty of 1945",
        "Treaty of 1956",
        "Treaty of 1958",
    ]
    assert [hit.snippet for hit in results["Events"].rows] == ["", "", ""]
    # Each kind is counted on its own: one person is still ranked.
    assert results["People"].ranked
    assert [hit.name for hit in results["People"].rows] == ["Treaty Person"]
    monkeypatch.setattr(SearchView, "LIMIT", 2)
    html = client.get(reverse("timeline:search"), {"q": "treaty"}).content.decode()
    assert "More than 2 events match “treaty”, too many to rank" in html
    assert "the first in timeline order" in html
    assert "The first 3 results" in html  # two events, and the person
    assert "Treaty draft" not in html
    # Two matches are not too many: ranked again.
    assert found(search_site("treaty 1956", 10))["Events"].ranked


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's")
def test_unranked_matches_are_read_in_the_order_s_index(common):
    # With statistics on enough rows, SQLite would otherwise read each match by its
    # key and sort them all.
    EventFactory.create_batch(300, title="Treaty", status=Event.Status.PUBLISHED)
    EventFactory.create_batch(300, title="Talks", status=Event.Status.PUBLISHED)
    statement = matches(Event, preview=False, count=1, limit=21, ranked=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params_for(["treaty"]))
        plan = [row[-1] for row in cursor.fetchall()]
    assert "USING INDEX event_chronology" in plan[0], plan
    assert not any("TEMP B-TREE" in line for line in plan), plan
