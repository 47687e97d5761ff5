import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse, set_script_prefix

from tests.factories import (
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    PeriodFactory,
    PersonFactory,
    PlaceFactory,
    SourceFactory,
)
from timeline import csl
from timeline.models import Citation, Event, Period, Place, Source
from timeline.text import slugify

pytestmark = pytest.mark.django_db


def test_saving_an_event_stores_its_date_bounds():
    event = EventFactory(date="1934~")
    event.refresh_from_db()
    assert event.date_earliest == datetime.date(1933, 1, 1)
    assert event.date_latest == datetime.date(1935, 12, 31)


def test_event_reads_its_date_with_the_time_of_day():
    event = EventFactory(date="1956-11-04", time=datetime.time(3, 0))
    assert event.date_text == "4 November 1956, 03:00"
    assert event.datetime_iso == "1956-11-04T03:00"


def test_overlapping_finds_every_event_whose_span_meets_the_range():
    circa = EventFactory(date="1947~")
    long_span = EventFactory(date="1944/1955")
    before = EventFactory(date="1943")
    after = EventFactory(date="1950-01")
    found = set(Event.objects.overlapping(datetime.date(1945, 1, 1), datetime.date(1949, 12, 31)))
    assert found == {circa, long_span}
    assert before not in found and after not in found


def test_in_period_includes_sub_periods():
    era = PeriodFactory(date="1919/1945")
    war = PeriodFactory(date="1939/1945", parent=era)
    other = PeriodFactory(date="1956")
    in_war = EventFactory(period=war, date="1942")
    in_era = EventFactory(period=era, date="1935-05")
    EventFactory(period=other, date="1956")
    assert set(Event.objects.in_period(era)) == {in_war, in_era}
    assert set(Event.objects.in_period(war)) == {in_war}


@pytest.mark.parametrize("query", ["karolyi", "KAROLYI", "Károlyi", "károlyi"])
def test_search_ignores_case_and_accents(query):
    event = EventFactory(title="Mihály Károlyi seeks rapprochement")
    EventFactory(title="Something else")
    assert list(Event.objects.search(query)) == [event]


def test_search_finds_events_through_their_people_and_places():
    event = EventFactory(title="Negotiations")
    ParticipationFactory(event=event, person=PersonFactory(name="Pál Maléter"))
    event.places.add(PlaceFactory(name="Tököl"))
    EventFactory(title="Unrelated")
    assert list(Event.objects.search("maleter")) == [event]
    assert list(Event.objects.search("tokol")) == [event]
    assert list(Event.objects.search("maleter tokol")) == [event]
    assert list(Event.objects.search("maleter budapest")) == []


def test_database_rejects_a_period_that_ends_before_it_starts():
    period = PeriodFactory(date="1919/1945")
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(
            date_earliest=datetime.date(1945, 1, 1), date_latest=datetime.date(1919, 1, 1)
        )


def test_clean_rejects_a_reversed_span_with_a_sentence():
    period = PeriodFactory.build(date="1945/1919")
    with pytest.raises(ValidationError) as error:
        period.full_clean()
    assert "ends before it starts" in error.value.message_dict["date"][0]


def test_clean_rejects_a_period_inside_its_own_sub_period():
    era = PeriodFactory()
    war = PeriodFactory(parent=era)
    era.parent = war
    with pytest.raises(ValidationError) as error:
        era.full_clean()
    assert "inside itself" in error.value.message_dict["parent"][0]


def test_database_rejects_a_citation_with_two_targets():
    citation = CitationFactory()
    person = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.filter(pk=citation.pk).update(person=person)


def test_database_rejects_a_citation_with_no_target():
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=SourceFactory(), key="orphan")


def test_clean_rejects_a_citation_with_no_target_with_a_sentence():
    citation = Citation(source=SourceFactory(), key="orphan")
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert "exactly one thing" in " ".join(error.value.messages)


def test_a_person_takes_part_in_an_event_only_once():
    participation = ParticipationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationFactory(event=participation.event, person=participation.person)


def test_database_rejects_a_source_known_through_itself():
    source = SourceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(known_through=source)


def test_citation_without_a_key_gets_one_from_its_target():
    event = EventFactory(slug="operation-whirlwind")
    first = CitationFactory(event=event, key="")
    second = CitationFactory(event=event, key="")
    assert (first.key, second.key) == ("operation-whirlwind-1", "operation-whirlwind-2")


def test_source_exports_as_csl_json():
    article = SourceFactory(
        slug="article",
        csl_type=Source.Type.ENCYCLOPEDIA_ENTRY,
        title="Hungary–Soviet Union relations",
        authors=[{"literal": "Wikipedia contributors"}],
        container_title="Wikipedia, The Free Encyclopedia",
        licence="CC BY-SA 4.0",
    )
    report = SourceFactory(
        slug="report",
        csl_type=Source.Type.REPORT,
        title="Report",
        authors=[{"family": "Serov", "given": "Ivan"}],
        issued="1956-11-11",
        known_through=article,
    )
    assert csl.source_item(article) == {
        "id": "article",
        "type": "entry-encyclopedia",
        "title": "Hungary–Soviet Union relations",
        "author": [{"literal": "Wikipedia contributors"}],
        "container-title": "Wikipedia, The Free Encyclopedia",
        "license": "CC BY-SA 4.0",
    }
    assert csl.source_item(report)["author"] == [{"family": "Serov", "given": "Ivan"}]
    assert csl.source_item(report)["issued"] == {"date-parts": [[1956, 11, 11]]}


def test_year_and_csl_date_read_only_ascii_digits():
    """A stored value that never passed validation (raw fixtures) must not break a page."""
    event = EventFactory.build(date="²⁰²⁰", date_earliest=datetime.date(1956, 1, 1))
    assert event.year == 1956
    assert csl.date("1956-¹¹") == {"date-parts": [[1956]]}


def test_natural_keys_round_trip():
    event = EventFactory(slug="operation-whirlwind")
    participation = ParticipationFactory(event=event, person=PersonFactory(slug="ivan-konev"))
    assert Event.objects.get_by_natural_key(*event.natural_key()) == event
    assert participation.natural_key() == ("operation-whirlwind", "ivan-konev")
    assert type(participation).objects.get_by_natural_key(*participation.natural_key()) == (
        participation
    )


def test_events_of_one_day_follow_their_time_of_day_on_every_database():
    whirlwind = EventFactory(title="Operation Whirlwind", date="1956-11-04")
    radio = EventFactory(title="Radio station seized", date="1956-11-04", time=datetime.time(8))
    tanks = EventFactory(title="Tanks enter", date="1956-11-04", time=datetime.time(3))
    shots = EventFactory(title="First shots", date="1956-11-04", time=datetime.time(4, 25))
    order = [whirlwind, tanks, shots, radio]
    assert list(Event.objects.chronological()) == order
    assert list(Event.objects.chronological(reverse=True)) == order[::-1]
    for earlier, later in zip(order, order[1:], strict=False):
        assert Event.objects.after(earlier).first() == later
        assert Event.objects.before(later).first() == earlier
    assert Event.objects.before(whirlwind).first() is None
    assert Event.objects.after(radio).first() is None


def test_clean_rejects_a_place_inside_a_place_within_it():
    hungary = PlaceFactory(slug="hungary")
    budapest = PlaceFactory(slug="budapest", parent=hungary)
    hungary.parent = budapest
    with pytest.raises(ValidationError) as caught:
        hungary.full_clean()
    assert caught.value.message_dict["parent"] == [
        "A place cannot lie inside itself or inside a place within it."
    ]


def test_moving_a_place_moves_the_places_inside_it():
    hungary = PlaceFactory(slug="hungary")
    austria = PlaceFactory(slug="austria")
    budapest = PlaceFactory(slug="budapest", parent=hungary)
    buda = PlaceFactory(slug="buda", parent=budapest)
    assert set(Place.objects.within(hungary).values_list("slug", flat=True)) == {
        "hungary",
        "budapest",
        "buda",
    }
    budapest.parent = austria
    budapest.save()
    buda.refresh_from_db()
    assert buda.tree_path == f"/{austria.pk}/{budapest.pk}/{buda.pk}/"
    assert list(Place.objects.within("hungary").values_list("slug", flat=True)) == ["hungary"]
    assert set(Place.objects.within("austria").values_list("slug", flat=True)) == {
        "austria",
        "budapest",
        "buda",
    }


def test_rebuilding_paths_fixes_rows_written_without_save():
    era = PeriodFactory(slug="era")
    war = PeriodFactory(slug="war", parent=era)
    Period.objects.filter(pk=war.pk).update(tree_path="")
    assert Period.objects.rebuild_paths() == 1
    war.refresh_from_db()
    assert war.tree_path == f"/{era.pk}/{war.pk}/"


def test_a_time_of_day_needs_a_single_day():
    event = EventFactory.build(slug="x", date="1957", time=datetime.time(3, 0))
    with pytest.raises(ValidationError) as caught:
        event.full_clean()
    assert "Only a single day can have a time of day" in caught.value.message_dict["time"][0]
    event.date = "1957-11-04"
    event.full_clean()


def test_database_rejects_a_time_of_day_on_a_year():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(date="1957", time=datetime.time(3, 0))


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Soviet–Hungarian treaty of 1948", "soviet-hungarian-treaty-of-1948"),
        ("Tököl/Budaörs road", "tokol-budaors-road"),
        ("Łódź — Kraków", "lodz-krakow"),
        ("Béla Kun’s Soviet Republic", "bela-kuns-soviet-republic"),
        ("Straße 1956", "strasse-1956"),
    ],
)
def test_slugify_transliterates_and_breaks_at_dashes(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize(
    "factory, route",
    [
        (EventFactory, "event-detail"),
        (PersonFactory, "person-detail"),
        (PlaceFactory, "place-detail"),
        (PeriodFactory, "period-detail"),
        (SourceFactory, "source-detail"),
    ],
)
def test_a_rows_address_is_the_one_its_route_reverses(factory, route):
    row = factory(slug="budapest-1956_b")
    assert row.get_absolute_url() == reverse(f"timeline:{route}", kwargs={"slug": row.slug})
    # Under a script prefix (a site served from /history/), the prefix comes first.
    set_script_prefix("/history/")
    try:
        assert row.get_absolute_url().startswith("/history/")
        assert row.get_absolute_url() == reverse(f"timeline:{route}", kwargs={"slug": row.slug})
    finally:
        set_script_prefix("/")
    # What the route would not match is refused, as reverse() refuses it.
    row.slug = "not a slug"
    with pytest.raises(NoReverseMatch):
        row.get_absolute_url()
