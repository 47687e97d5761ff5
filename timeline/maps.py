"""Maps drawn on the server as SVG, from stored data only.

Points are the places' GeoNames coordinates (cited on each place); country outlines
are Natural Earth's, reduced at build time by tests/tools/build_outlines.js into
timeline/data/outlines.json. The projection is equirectangular, its east-west scale
shrunk by the cosine of the middle latitude, which keeps a country's shape
recognisable across the few dozen degrees these maps cover.
"""

import functools
import json
import math
from pathlib import Path

from django.db import connections
from django.urls import reverse
from django.utils.http import urlencode

from timeline.models import Place
from timeline.models.tree import SEPARATOR

OUTLINES = Path(__file__).resolve().parent / "data" / "outlines.json"
WIDTH = 600
# A map of one city would show nothing around it: every map covers at least this much.
MIN_DEGREES = 4.0
MARGIN = 0.15
MAX_RADIUS = 22
MIN_RADIUS = 4
HIGHLIGHTED = ("hungary", "soviet-union")


@functools.cache
def outline_data():
    """Return the outlines file, each outline with its bounding box, read once."""
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    for outline in data["outlines"].values():
        # A ring that crosses the 180th meridian (the Soviet Union's Chukotka) would be
        # drawn across the whole map: its western longitudes continue past 180 instead.
        outline["rings"] = [
            [[lon + 360 if lon < 0 else lon, lat] for lon, lat in ring]
            if max(lon for lon, _ in ring) - min(lon for lon, _ in ring) > 180
            else ring
            for ring in outline["rings"]
        ]
        points = [point for ring in outline["rings"] for point in ring]
        outline["box"] = (
            min(lon for lon, _ in points),
            min(lat for _, lat in points),
            max(lon for lon, _ in points),
            max(lat for _, lat in points),
        )
    return data


def box_around(points, min_degrees=MIN_DEGREES):
    """Return west, south, east, north around the points, widened to min_degrees and padded."""
    west, east = min(lon for lon, _ in points), max(lon for lon, _ in points)
    south, north = min(lat for _, lat in points), max(lat for _, lat in points)
    centre_lon, centre_lat = (west + east) / 2, (south + north) / 2
    half_lon = max(east - west, min_degrees) * (0.5 + MARGIN)
    half_lat = max(north - south, min_degrees * 0.6) * (0.5 + MARGIN)
    return (
        centre_lon - half_lon,
        centre_lat - half_lat,
        centre_lon + half_lon,
        centre_lat + half_lat,
    )


class Projection:
    """Degrees to the drawing's units, for one box."""

    def __init__(self, box, width=WIDTH):
        self.west, self.south, self.east, self.north = box
        self.shrink = math.cos(math.radians((self.south + self.north) / 2))
        self.scale = width / ((self.east - self.west) * self.shrink)
        self.width = width
        self.height = round((self.north - self.south) * self.scale)

    def point(self, lon, lat):
        return (
            round((lon - self.west) * self.shrink * self.scale, 1),
            round((self.north - lat) * self.scale, 1),
        )

    def path(self, rings):
        parts = []
        for ring in rings:
            points = [self.point(lon, lat) for lon, lat in ring]
            parts.append("M" + "L".join(f"{x} {y}" for x, y in points) + "Z")
        return "".join(parts)

    def overlaps(self, box):
        west, south, east, north = box
        return west < self.east and east > self.west and south < self.north and north > self.south


def outline_paths(projection):
    """Return the outlines that reach into the map, context first, as SVG paths."""
    paths = []
    for key, outline in outline_data()["outlines"].items():
        if not projection.overlaps(outline["box"]):
            continue
        paths.append(
            {
                "key": key,
                "name": outline["name"],
                "d": projection.path(outline["rings"]),
                "highlighted": key in HIGHLIGHTED,
            }
        )
    paths.sort(key=lambda path: path["highlighted"])
    return paths


def caption():
    data = outline_data()
    return (
        "Borders are approximate: modern borders from Natural Earth (public domain), not "
        "those of the years shown; the Soviet Union is drawn as its fifteen successor "
        "states. Points from GeoNames (CC BY 4.0)."
        if data
        else ""
    )


def place_point(place):
    return float(place.longitude), float(place.latitude)


def locator_map(places):
    """Return the map of Hungary and the Soviet Union for the home page, or None.

    The outlines are keyed by the slugs of the places they draw; the map shows those
    of the given places that have one, and lists them beside it.
    """
    outlines = outline_data()["outlines"]
    places = [place for place in places if place.slug in outlines]
    if not places:
        return None
    boxes = [outlines[place.slug]["box"] for place in places]
    points = [(box[0], box[1]) for box in boxes] + [(box[2], box[3]) for box in boxes]
    projection = Projection(box_around(points, min_degrees=0), width=WIDTH)
    labels = []
    for place in places:
        west, south, east, north = outlines[place.slug]["box"]
        x, y = projection.point((west + east) / 2, (south + north) / 2)
        labels.append({"x": x, "y": y, "text": place.name})
    return {
        "places": places,
        "width": projection.width,
        "height": projection.height,
        "paths": outline_paths(projection),
        "marks": [],
        "labels": labels,
        "title": "Locator map: " + " and ".join(place.name for place in places),
        "caption": caption(),
    }


def place_map(place, places):
    """Return a map of a place and the places within it that have coordinates, or None."""
    located = [row for row in places if row.has_coordinates]
    if not located:
        return None
    projection = Projection(box_around([place_point(row) for row in located]))
    marks = []
    for row in located:
        x, y = projection.point(*place_point(row))
        marks.append(
            {
                "x": x,
                "y": y,
                "r": 7 if row.pk == place.pk else 5,
                "url": row.get_absolute_url(),
                "label": row.name if row.pk != place.pk else f"{row.name} (this place)",
                "current": row.pk == place.pk,
            }
        )
    marks.sort(key=lambda mark: mark["current"])
    return {
        "width": projection.width,
        "height": projection.height,
        "paths": outline_paths(projection),
        "marks": marks,
        "labels": [],
        "title": f"Map of {place.name} and the places within it",
        "caption": caption(),
    }


def places_of_events(events):
    """Return the published places of the events, each with event_count, most events first.

    A place counts the events at it or at any place within it, as the list's place
    filter does, so each count equals the list's for the same filters and that place.
    Each place's ancestors are read from the stored paths and handed to the database
    as a small table (place, ancestor), so one grouped pass over the events' links
    counts every place at once; joining places to places by path prefix took minutes
    over 100,000 events.
    """
    places = list(
        Place.objects.order_by().only(
            "pk", "slug", "name", "status", "tree_path", "latitude", "longitude"
        )
    )
    shown = {place.pk: place for place in places if place.status == Place.Status.PUBLISHED}
    pairs = [
        (place.pk, int(ancestor))
        for place in places
        for ancestor in place.tree_path.strip(SEPARATOR).split(SEPARATOR)
        if ancestor.isdigit() and int(ancestor) in shown
    ]
    if not pairs:
        return []
    links = Place.events.through._meta.db_table
    # Every number comes from the database's own integer keys, so it is written inline.
    table = ", ".join(f"({int(place)}, {int(ancestor)})" for place, ancestor in pairs)
    chosen, chosen_params = events.order_by().values("pk").query.sql_with_params()
    sql = (
        f"WITH ancestry (place_id, ancestor_id) AS (VALUES {table}) "
        f"SELECT ancestry.ancestor_id, COUNT(DISTINCT l.event_id) FROM ancestry "
        f"JOIN {links} l ON l.place_id = ancestry.place_id "
        # The unary plus keeps SQLite from driving the join through the list of events,
        # which looked up every place's links once per event; PostgreSQL reads it as is.
        f"WHERE +l.event_id IN ({chosen}) GROUP BY ancestry.ancestor_id"
    )
    with connections[events.db].cursor() as cursor:
        cursor.execute(sql, chosen_params)
        counts = dict(cursor.fetchall())
    found = [shown[pk] for pk in counts]
    for place in found:
        place.event_count = counts[place.pk]
    found.sort(key=lambda place: (-place.event_count, place.name))
    return found


def radius(count, most):
    """Return a mark's radius: its area grows with its number of events."""
    return round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(count / most), 1)


def events_map(places, params):
    """Return the map of the filtered events' places, each mark sized by its events."""
    located = [place for place in places if place.has_coordinates]
    list_url = reverse("timeline:event-list")
    base = [(key, value) for key, value in params if key != "place"]
    for place in places:
        place.list_url = f"{list_url}?{urlencode([*base, ('place', place.slug)])}"
    if not located:
        return None
    projection = Projection(box_around([place_point(place) for place in located]))
    most = max(place.event_count for place in located)
    marks = []
    for place in located:
        x, y = projection.point(*place_point(place))
        events = f"{place.event_count} event{'s' if place.event_count != 1 else ''}"
        marks.append(
            {
                "x": x,
                "y": y,
                "r": radius(place.event_count, most),
                "url": place.list_url,
                "label": f"{place.name}: {events}, show them in the list",
                "count": place.event_count,
            }
        )
    return {
        "width": projection.width,
        "height": projection.height,
        "paths": outline_paths(projection),
        "marks": marks,
        "labels": [],
        "title": "Map of the places of the events shown, each mark sized by its number of events",
        "caption": caption(),
    }
