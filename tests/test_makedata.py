"""The data generator: the same site for a seed, in proportion, and as saves would store it."""

import hashlib
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from timeline.citations import marker_keys
from timeline.generator import PREFIX, Scale, generate
from timeline.models import (
    Citation,
    Event,
    EventKind,
    Participation,
    Period,
    Person,
    Place,
    Source,
)
from timeline.models.sources import CITATION_TARGETS

pytestmark = pytest.mark.django_db

EVENTS = 500
GENERATED = (
    EventKind,
    Period,
    Place,
    Source,
    Person,
    Event,
    Event.places.through,
    Event.kinds.through,
    Participation,
    Citation,
)
DERIVED = {
    Event: ("date_earliest", "date_latest", "date_reading", "search_text", "time_key")
    + ("period_position",),
    Period: ("date_earliest", "date_latest", "date_reading", "search_text", "tree_path")
    + ("position",),
    Person: ("search_text",),
    Place: ("search_text", "tree_path"),
    Source: ("search_text",),
}
TEXTS = {Event: "body", Period: "body", Person: "biography", Place: "description"}


# When a row was made and by whom, and its path of primary keys, differ by run; a
# period's position among all periods moves on when periods are added.
UNREPEATABLE = {"created_at", "modified_at", "first_published_at", "created_by", "modified_by"}
UNREPEATABLE |= {"position", "period_position"}


def natural_rows(model):
    """Return a model's rows as sorted tuples, related rows named by slug, not by pk."""
    names = [
        f"{field.name}__slug" if field.is_relation else field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and field.serialize and field.name not in UNREPEATABLE
    ]
    return sorted(model.objects.values_list(*names), key=repr)


def site_digest():
    """Return a digest of every generated row, independent of primary keys."""
    digest = hashlib.sha256()
    for model in GENERATED:
        digest.update(repr(natural_rows(model)).encode())
    return digest.hexdigest()


def digest_of_a_site(events, seed):
    """Generate a site, return its digest and take it away again."""
    with transaction.atomic():
        generate(events, seed=seed)
        digest = site_digest()
        transaction.set_rollback(True)
    return digest


def test_scale_at_100000_events_is_the_issues():
    scale = Scale.of(100_000)
    assert (scale.people, scale.places, scale.sources) == (5_000, 1_000, 500)
    assert scale.citations == 200_000
    assert scale.hot_source_citations == 30_000
    assert scale.drafts == 5_000


def test_the_same_seed_gives_the_same_rows():
    first = digest_of_a_site(200, seed=3)
    assert digest_of_a_site(200, seed=3) == first
    assert digest_of_a_site(200, seed=4) != first


def test_makedata_adds_to_the_articles_content(content):
    article = natural_rows(Event)
    assert article
    out = io.StringIO()
    call_command("makedata", events=50, seed=2, stdout=out)
    assert Event.objects.filter(slug__startswith=PREFIX).count() == 50
    assert [row for row in natural_rows(Event) if not row[0].startswith(PREFIX)] == article
    assert re.search(r"events 50\b", out.getvalue())
    with pytest.raises(CommandError, match="already holds generated data"):
        call_command("makedata", events=50, stdout=io.StringIO())


@pytest.fixture(scope="class")
def small_site(django_db_setup, django_db_blocker):
    """Generate one site for a class of checks that only read it, and roll it back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate(EVENTS, seed=1)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("small_site")
class TestSmallSite:
    def test_counts_are_in_proportion_to_the_events(self):
        scale = Scale.of(EVENTS)
        assert Event.objects.count() == EVENTS
        assert Person.objects.count() == scale.people == EVENTS // 20
        assert Citation.objects.count() == scale.citations == 2 * EVENTS
        # Small sites keep floors, so the tree of places and the sources keep their shape.
        assert Place.objects.count() == scale.places == 20
        assert Source.objects.count() == scale.sources == 40
        assert Source.objects.filter(known_through__isnull=False).count() == 10
        assert EventKind.objects.count() == 10
        assert Period.objects.count() == 14

    def test_one_event_in_twenty_is_a_draft(self):
        assert Event.objects.filter(status=Event.Status.DRAFT).count() == EVENTS // 20

    def test_one_source_is_cited_far_more_than_any_other(self):
        counts = list(
            Source.objects.annotate(cited=Count("citations"))
            .order_by("-cited")
            .values_list("cited", flat=True)
        )
        assert counts[0] == Citation.objects.count() * 15 // 100
        assert counts[0] > 2 * counts[1]

    def test_citations_mostly_support_events(self):
        targets = Counter(
            name
            for citation in Citation.objects.all()
            for name in CITATION_TARGETS
            if getattr(citation, f"{name}_id")
        )
        assert targets["event"] > 0.85 * Citation.objects.count()
        assert targets["person"] and targets["place"] and targets["period"]

    def test_every_citation_has_exactly_one_target(self):
        for citation in Citation.objects.all():
            assert len(citation.target_names()) == 1, citation.key

    def test_some_citations_quote_and_most_have_a_locator(self):
        assert Citation.objects.exclude(quotation="").exists()
        located = Citation.objects.exclude(locator="")
        assert located.count() > 0.9 * Citation.objects.count()
        assert set(located.values_list("locator_label", flat=True)) >= {"section", "page"}

    def test_derived_fields_equal_what_a_save_stores(self):
        for model, fields in DERIVED.items():
            rows = list(model.objects.order_by("pk"))
            assert rows
            for row in rows:
                generated = [getattr(row, field) for field in fields]
                row.save()
                row.refresh_from_db()
                assert [getattr(row, field) for field in fields] == generated, row.slug
                assert row.search_text

    def test_markers_name_citations_of_the_same_row(self):
        keys = Counter()
        for model, field in TEXTS.items():
            target = model._meta.model_name
            for row in model.objects.all():
                own = set(Citation.objects.filter(**{target: row}).values_list("key", flat=True))
                markers = marker_keys(getattr(row, field))
                assert set(markers) <= own, row.slug
                keys[target] += len(markers)
        assert keys["event"] > 0.7 * Citation.objects.filter(event__isnull=False).count()
        assert keys["person"] and keys["place"] and keys["period"]

    def test_places_nest_five_levels_deep_without_cycles(self):
        parents = dict(Place.objects.values_list("pk", "parent_id"))
        depths = []
        for pk in parents:
            seen, current = [], pk
            while current is not None:
                assert current not in seen, f"place {pk} lies inside itself"
                seen.append(current)
                current = parents[current]
            depths.append(len(seen))
        assert max(depths) == 5
        kinds = dict(Place.objects.filter(parent__isnull=True).values_list("kind", "kind"))
        assert list(kinds) == ["country"]

    def test_periods_nest_and_span_the_whole_history(self):
        assert Period.objects.filter(parent__parent__isnull=False).exists()
        first = Period.objects.order_by("date_earliest").first()
        last = Period.objects.order_by("date_latest").last()
        assert first.date_earliest.year == 1919 and last.date_latest.year == 1991

    def test_dates_come_in_every_shape(self):
        values = list(Event.objects.values_list("date", flat=True))
        shapes = {
            "day": r"\d{4}-\d\d-\d\d",
            "month": r"\d{4}-(0\d|1[0-2])",
            "year": r"\d{4}",
            "season": r"\d{4}-2[1-4]",
            "circa": r".+~",
            "uncertain": r".+\?",
            "span": r".+/.+",
        }
        found = Counter(
            name for value in values for name, shape in shapes.items() if re.fullmatch(shape, value)
        )
        assert set(found) == set(shapes), found
        assert found["day"] > len(values) / 2
        assert Event.objects.filter(time__isnull=False).exists()

    def test_1956_and_a_few_people_are_far_busier_than_the_rest(self):
        by_year = Counter(Event.objects.values_list("date_earliest__year", flat=True))
        assert by_year[1956] > 5 * by_year[1970]
        busiest_day = (
            Event.objects.filter(time__isnull=False)
            .values("date_earliest")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        assert busiest_day["n"] >= 2
        people = list(
            Person.objects.annotate(n=Count("participations"))
            .order_by("-n")
            .values_list("n", flat=True)
        )
        assert people[0] > 0.06 * EVENTS
        assert people[0] > 2 * people[len(people) // 2]


def test_generated_people_places_and_sources_are_mostly_published():
    with transaction.atomic():
        generate(300, seed=5)
        for model in (Person, Place, Source, Period):
            rows = model.objects.filter(slug__startswith=PREFIX)
            assert rows.published().count() > 0.9 * rows.count(), model.__name__
        transaction.set_rollback(True)
