"""The whole article, as fixtures: complete, cited, and loadable again and again."""

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from timeline import dates
from timeline.citations import marker_keys
from timeline.management.commands.loadcontent import fixture_paths
from timeline.models import (
    Citation,
    Event,
    EventKind,
    Participation,
    Period,
    Person,
    Place,
    Source,
    Topic,
)

pytestmark = pytest.mark.django_db

ARTICLE = "wikipedia-hungary-soviet-union-relations"
MODELS = (Source, Place, Person, EventKind, Topic, Period, Event, Participation, Citation)

PEOPLE = [
    "Béla Kun",
    "Mihály Károlyi",
    "Woodrow Wilson",
    "Vladimir Lenin",
    "Miklós Horthy",
    "Charles IV",
    "Joseph Stalin",
    "István Csáky",
    "Adolf Hitler",
    "Winston Churchill",
    "Ivan Konev",
    "Hamazasp Babadzhanian",
    "Hadzhi-Umar Mamsurov",
    "Pál Maléter",
    "János Kádár",
    "Ferenc Münnich",
    "Ivan Serov",
    "Imre Nagy",
    "Fedor Burlatsky",
    "Nikita Khrushchev",
    "Matvey Burlakov",
    "Shilov",
]

FIGURES = [
    "600,000",
    "200,000",
    "155,000",
    "218,000",
    "3,773",
    "4,056",
    "2,500",
    "722",
    "17 divisions",
    "15,000",
    "60,000",
    "560,000 tons",
    "5,750",
    "50 billion forints",
    "800 million",
    "40,000",
    "80 percent",
    "sixty-eight minors",
]

DOCUMENTS = ["Fourteen Points", "Vix Note", "percentages agreement", "Serov", "Burlatsky"]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_fixtures_use_natural_keys_only():
    for path in fixture_paths():
        for row in json.loads(Path(path).read_text(encoding="utf-8")):
            assert "pk" not in row, f"{path}: {row['model']} has a primary key"
            assert set(row) == {"model", "fields"}, path


def test_fixtures_load_in_one_call_into_an_empty_database(content):
    loaded = counts()
    assert loaded["Person"] == 22
    assert loaded["Place"] >= 12
    assert loaded["Event"] >= 40
    assert loaded["Topic"] == 1
    assert loaded["Period"] >= 7
    assert set(Person.objects.values_list("name", flat=True)) >= set(PEOPLE)


def test_loading_twice_changes_nothing(content):
    before = counts()
    snapshot = dump()
    call_command("loaddata", *fixture_paths(), verbosity=0)
    assert counts() == before
    assert dump() == snapshot


def test_loadcontent_leaves_existing_content_alone(content):
    event = Event.objects.get(slug=Event.objects.first().slug)
    event.title = "Edited by an editor"
    event.save()
    out = io.StringIO()
    call_command("loadcontent", stdout=out)
    assert "already loaded" in out.getvalue()
    event.refresh_from_db()
    assert event.title == "Edited by an editor"


def dump():
    """Return the timeline's rows, as dumpdata writes them, in a stable order."""
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in dump_rows())


def dump_rows():
    out = io.StringIO()
    call_command(
        "dumpdata",
        "timeline",
        natural_foreign=True,
        natural_primary=True,
        format="json",
        indent=None,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_dump_flush_load_gives_back_identical_content(content, tmp_path):
    before = dump()
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump_rows(), ensure_ascii=False), encoding="utf-8")
    call_command("flush", verbosity=0, interactive=False)
    assert Event.objects.count() == 0
    call_command("loaddata", str(path), verbosity=0)
    assert dump() == before


def test_every_event_person_period_and_place_cites_the_article(content):
    for model in (Event, Person, Period, Place, Topic):
        uncited = model.objects.exclude(citations__source__slug=ARTICLE)
        assert not uncited.exists(), f"{model.__name__}: {list(uncited)}"


def test_every_citation_has_a_source_and_article_citations_a_section(content):
    assert not Citation.objects.filter(source__isnull=True).exists()
    article_citations = Citation.objects.filter(source__slug=ARTICLE)
    assert not article_citations.exclude(locator_label="section").exists()
    assert not article_citations.filter(locator="").exists()


def test_quotations_are_exact_words_of_the_article(content):
    article = Path(settings.BASE_DIR) / "fixtures" / "seed" / "hungary-soviet-union-relations.txt"
    text = " ".join(article.read_text(encoding="utf-8").split())
    for citation in Citation.objects.filter(source__slug=ARTICLE).exclude(quotation=""):
        quotation = " ".join(citation.quotation.split())
        assert quotation in text, f"{citation.key}: {quotation[:80]}"


def test_documents_named_by_the_article_are_known_through_it(content):
    article = Source.objects.get(slug=ARTICLE)
    assert article.licence == "CC BY-SA 4.0"
    assert "Wikipedia contributors" in article.attribution
    # GeoNames and Natural Earth are datasets the site reads itself (coordinates and
    # outlines), not documents the article names.
    documents = Source.objects.exclude(slug__in=[ARTICLE, "geonames", "natural-earth"])
    for name in DOCUMENTS:
        matching = [source for source in documents if name.lower() in source.title.lower()]
        assert matching, name
        assert all(source.known_through == article for source in matching), name
    assert set(documents.values_list("known_through__slug", flat=True)) == {ARTICLE}


def test_every_figure_of_the_article_is_in_an_event(content):
    text = " ".join(f"{event.summary} {event.body}" for event in Event.objects.all())
    missing = [figure for figure in FIGURES if figure not in text]
    assert not missing


def test_the_three_times_of_4_november_1956_are_events(content):
    times = Event.objects.filter(date="1956-11-04").exclude(time=None)
    assert sorted(time.strftime("%H:%M") for time in times.values_list("time", flat=True)) == [
        "03:00",
        "04:25",
        "08:00",
    ]


def test_withdrawal_is_one_interval(content):
    event = Event.objects.get(date="1990-03/1991-06-19")
    assert event.date_reading == "March 1990 – 19 June 1991"


def test_world_war_ii_sits_inside_the_horthy_era(content):
    war = Period.objects.get(title="World War II")
    assert war.parent.title == "Counterrevolution and Horthy regime"


def test_corrections_are_shown_and_noted(content):
    shown = " ".join(
        f"{item.summary} {item.body}" for model in (Event, Period) for item in model.objects.all()
    )
    assert "troopsthe" not in shown and "Forcesstarted" not in shown
    assert "rapproachment" not in shown
    assert shown.count("needed more troops which he offered in the winter") <= 1
    notes = list(Citation.objects.filter(note__startswith="Correction:"))
    assert len(notes) >= 4


def test_markers_in_texts_name_citations_of_the_same_item(content):
    for model, fields in ((Period, ("summary", "body")), (Event, ("summary", "body"))):
        for item in model.objects.prefetch_related("citations"):
            keys = {citation.key for citation in item.citations.all()}
            for name in fields:
                unknown = set(marker_keys(getattr(item, name))) - keys
                assert not unknown, f"{item}: {unknown}"
    topic = Topic.objects.get()
    assert set(marker_keys(topic.lead)) <= set(topic.citations.values_list("key", flat=True))


def test_lead_and_see_also_are_on_the_record(content):
    topic = Topic.objects.get()
    assert "developed in three phases" in topic.lead
    assert topic.see_also_list == [
        "Hungary–Russia relations",
        "Hungary–Ukraine relations",
        "Soviet occupation of Hungary",
        "Werckmeister Harmonies",
    ]


def test_native_names_in_hungarian_order(content):
    assert Person.objects.get(name="Béla Kun").native_name == "Kun Béla"
    assert Person.objects.get(name="Shilov").born == ""


def test_places_keep_their_other_names(content):
    names = {place.name: place.other_name_list for place in Place.objects.all()}
    assert any("Ungvár" in other for other in names.values())
    assert any("Ivano-Frankivsk" in other for other in names.values())


def test_every_date_in_the_fixtures_parses(content):
    for model in (Event, Period):
        for item in model.objects.all():
            assert item.date_reading != item.date or re.fullmatch(r"\d{4}", item.date), item


def test_stored_readings_equal_the_parsers(content):
    for model in (Event, Period):
        for row in model.objects.all():
            assert row.date_reading == dates.parse(row.date).reading, row.slug
