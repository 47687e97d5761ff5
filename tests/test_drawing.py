"""The timeline drawn: shapes that show uncertainty, clusters, zoom, views, query budgets."""

import datetime
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EventFactory, PeriodFactory, PlaceFactory
from tests.test_queries import MAX_QUERIES, build_site
from timeline import drawing
from timeline.context_processors import default_topic
from timeline.drawing import BINS, INDIVIDUAL, WIDTH, Drawing, Window
from timeline.filters import taxonomy_choices
from timeline.models import Event, Period

pytestmark = pytest.mark.django_db

EVENTS = reverse("timeline:event-list")


def draw(zoom="all", at=None, events=None):
    events = Event.objects.published() if events is None else events
    span = drawing.data_span(events)
    window = Window.around(zoom, at or span[0], span)
    return Drawing(window, events, Period.objects.published()).layout()


def marks_by_title(result):
    return {mark["title"]: mark for mark in result.marks}


def test_each_kind_of_date_has_its_own_shape():
    EventFactory(title="Exact", date="1956-11-04")
    EventFactory(title="Season", date="1939-21")
    EventFactory(title="Circa", date="1934~")
    EventFactory(title="Between", date="1953/1955")
    EventFactory(title="Open", date="1990-03/..")
    EventFactory(title="Unknown start", date="/1920")
    marks = marks_by_title(draw())
    window = draw().window
    exact = marks["Exact"]
    assert exact["shape"] == "point" and exact["x1"] == exact["x2"]
    assert exact["x1"] == pytest.approx(window.x(datetime.date(1956, 11, 4), 720), abs=0.1)
    season = marks["Season"]
    assert season["shape"] == "span" and season["fade"] == ""
    # Spring 1939 is March to May: a quarter of a year, a short bar.
    assert season["x2"] - season["x1"] == pytest.approx(92 / 365.25 * window_year(window), rel=0.1)
    circa = marks["Circa"]
    assert circa["shape"] == "approximate" and circa["fade"] == "both"
    # c. 1934 reaches a year either side (edtf's margin), centred on 1934.
    assert circa["cx"] == pytest.approx(window.x(datetime.date(1934, 7, 2)), abs=2)
    between = marks["Between"]
    assert between["shape"] == "range" and between["fade"] == ""
    assert between["x1"] == pytest.approx(window.x(datetime.date(1953, 1, 1)), abs=0.1)
    assert between["x2"] == pytest.approx(window.x(datetime.date(1956, 1, 1)), abs=0.1)
    assert marks["Open"]["shape"] == "open" and marks["Open"]["fade"] == "end"
    assert marks["Unknown start"]["fade"] == "start"


def window_year(window):
    return WIDTH / window.days * 365.25


def test_the_svg_draws_each_shape_with_a_linked_accessible_name(client):
    EventFactory(slug="exact", title="Exact", date="1956-11-04")
    EventFactory(slug="circa", title="Circa", date="1934~")
    EventFactory(slug="between", title="Between", date="1953/1955")
    html = client.get(EVENTS, {"view": "timeline"}).content.decode()
    svg = html[html.index('<svg class="tl"') : html.index("</svg>", html.index('class="tl"'))]
    assert re.search(r'<a href="/events/exact/"[^>]*aria-label="Exact, 4 November 1956">', svg)
    assert "<title>Exact, 4 November 1956</title><circle" in svg
    assert re.search(r'<a href="/events/circa/".*?fill="url\(#tl-fade-both\)"', svg, re.S)
    assert re.search(r'<a href="/events/between/".*?class="tl-cap"', svg, re.S)
    assert "style=" not in html.split('id="main"')[1]
    assert "an exact day: a point" in html  # the legend


def test_a_dense_stretch_becomes_a_counted_cluster_linking_to_its_list(client):
    for hour in range(10):
        EventFactory(date="1956-11-04", time=datetime.time(hour, 0))
    EventFactory(title="Alone", date="1919-03-21")
    result = draw()
    assert [cluster["count"] for cluster in result.clusters] == [10]
    assert [mark["title"] for mark in result.marks] == ["Alone"]
    url = result.clusters[0]["url"]
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["start"] <= "1956-11-04" <= params["end"]
    listed = client.get(url)
    assert listed.status_code == 200
    assert listed.context["paginator"].count == 10
    # At the day's zoom there is room for each of them, but not for ten in one hour.
    day = draw("day", datetime.date(1956, 11, 4))
    assert len(day.marks) == 10 and not day.clusters


def test_a_sparse_stretch_shows_every_event():
    for month in range(1, 4):
        EventFactory(date=f"1956-{month:02d}-01")
    result = draw()
    assert not result.clusters and len(result.marks) == 3


def test_the_drawing_stays_small_whatever_the_number_of_events():
    build_site(500)
    result = draw()
    assert result.total == 500
    assert len(result.marks) + len(result.clusters) <= BINS * (INDIVIDUAL + 1)
    assert sum(cluster["count"] for cluster in result.clusters) + len(result.marks) == 500


def test_unpublished_events_are_never_drawn_nor_counted(client):
    EventFactory(slug="seen", title="Seen", date="1956-11-04")
    EventFactory(slug="hidden", title="Hidden", date="1956-11-05", status=Event.Status.DRAFT)
    for zoom, at in (("all", ""), ("year", "1956"), ("day", "1956-11-05")):
        response = client.get(EVENTS, {"view": "timeline", "zoom": zoom, "at": at})
        html = response.content.decode()
        assert "Hidden" not in html and "/events/hidden/" not in html
    assert client.get(EVENTS, {"view": "timeline"}).context["drawing"].total == 1


def test_the_axis_and_span_come_from_the_data(client):
    EventFactory(date="1700-05-01")
    EventFactory(date="1705-02-01")
    result = client.get(EVENTS, {"view": "timeline"}).context["drawing"]
    assert result.window.start == datetime.date(1700, 1, 1)
    assert result.window.end == datetime.date(1706, 1, 1)
    assert [tick["text"] for tick in result.ticks][0] == "1700"
    assert [tick["text"] for tick in result.ticks][-1] == "1705"


def test_periods_are_bands_linking_to_their_pages(client):
    PeriodFactory(slug="era", title="The era", date="1919/1945")
    EventFactory(date="1930")
    result = client.get(EVENTS, {"view": "timeline"}).context["drawing"]
    assert [band["slug"] for band in result.bands] == ["era"]
    assert result.bands[0]["url"] == "/periods/era/"


def links_in(html, selector):
    nav = html[html.index(selector) :]
    nav = nav[: nav.index("</nav>")]
    return {
        text.strip(): unescape(href)
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    }


def test_zoom_links_round_trip_and_keep_the_filters(client):
    EventFactory(title="November tanks", date="1956-11-04")
    EventFactory(title="November peace", date="1945-11-04")
    day = EVENTS + "?q=november&view=timeline&zoom=day&at=1956-11-04"
    html = client.get(day).content.decode()
    levels = links_in(html, "data-timeline-zoom")
    url = levels["Whole span"]
    for level in ("Decade", "Year", "Month", "Day"):
        html = client.get(url).content.decode()
        assert "q=november" in url
        url = links_in(html, "data-timeline-zoom")[level]
    cache.clear()  # the page was cached whole on the first visit
    window = client.get(url).context["drawing"].window
    assert (window.zoom, window.start) == ("day", datetime.date(1956, 11, 4))
    year = client.get(EVENTS, {"view": "timeline", "zoom": "year", "at": "1956"})
    steps = links_in(year.content.decode(), "data-timeline-zoom")
    assert "at=1955-01-01" in steps["← 1955"] and "at=1957-01-01" in steps["1957 →"]


def test_ticks_zoom_one_level_closer(client):
    EventFactory(date="1956-11-04")
    result = client.get(EVENTS, {"view": "timeline", "zoom": "year", "at": "1956"})
    ticks = result.context["drawing"].ticks
    assert [tick["text"] for tick in ticks][:2] == ["Jan", "Feb"]
    assert "zoom=month" in ticks[10]["url"] and "at=1956-11-01" in ticks[10]["url"]


@pytest.mark.parametrize(
    ("params", "sentence"),
    [
        ({"view": "chart"}, "There is no view “chart” of the timeline"),
        ({"view": "timeline", "zoom": "week"}, "There is no zoom “week”"),
        ({"view": "timeline", "zoom": "year", "at": "19x6"}, "is not a date to zoom to"),
        ({"view": "timeline", "zoom": "day", "at": "1956-02-30"}, "is not a date to zoom to"),
        ({"view": "timeline", "zoom": "decade", "at": "9999"}, "cannot be drawn"),
    ],
)
def test_bad_views_and_zooms_answer_400_with_a_sentence(client, params, sentence):
    EventFactory(date="1956-11-04")
    response = client.get(EVENTS, params)
    assert response.status_code == 400
    assert sentence in unescape(response.content.decode())


def test_switching_view_keeps_the_filters(client):
    EventFactory(date="1956-11-04")
    html = client.get(EVENTS, {"q": "tanks", "start": "1950"}).content.decode()
    views = links_in(html, 'class="view-switch"')
    assert views["Timeline"] == EVENTS + "?q=tanks&start=1950&view=timeline"
    assert views["Map"] == EVENTS + "?q=tanks&start=1950&view=map"
    html = client.get(views["Map"]).content.decode()
    assert links_in(html, 'class="view-switch"')["List"] == EVENTS + "?q=tanks&start=1950"
    # The filter form keeps the view when filters are applied.
    assert '<input type="hidden" name="view" value="map">' in html


def test_a_bad_filter_on_the_drawing_answers_400(client):
    response = client.get(EVENTS, {"view": "timeline", "start": "1956-13-45"})
    assert response.status_code == 400
    assert "is not a date" in unescape(response.content.decode())


def test_the_home_page_draws_the_topic_at_its_widest_zoom(client):
    build_site(5)
    home = client.get(reverse("timeline:home"))
    result = home.context["drawing"]
    assert result.window.zoom == "all"
    assert (result.window.start, result.window.end) == (
        datetime.date(1900, 1, 1),
        datetime.date(2001, 1, 1),
    )
    assert result.total == 5
    assert '<svg class="tl"' in home.content.decode()


def page_urls():
    return [
        reverse("timeline:home"),
        EVENTS + "?view=timeline",
        EVENTS + "?view=timeline&zoom=decade&at=1900",
        EVENTS + "?view=timeline&zoom=year&at=1900",
        EVENTS + "?view=timeline&zoom=month&at=1900-03",
        EVENTS + "?view=timeline&zoom=day&at=1900-01-01",
        EVENTS + "?view=timeline&period=era&kind=military&q=event&start=1900",
        EVENTS + "?view=timeline&person=person-1&place=place-1&source=article",
        EVENTS + "?view=map",
        EVENTS + "?view=map&period=era&kind=military&q=event&start=1900",
        EVENTS + "?view=map&person=person-1&place=place-1&source=article",
        reverse("timeline:place-detail", args=["place-1"]),
    ]


def counts_of(client):
    counts = {}
    for url in page_urls():
        cache.clear()
        default_topic()
        taxonomy_choices()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


@pytest.mark.parametrize("count", [5, 500])
def test_the_drawn_views_stay_within_the_query_budget(client, count):
    build_site(count)
    counts = counts_of(client)
    over = {url: n for url, n in counts.items() if n > MAX_QUERIES}
    assert not over, f"pages over {MAX_QUERIES} queries: {over}"


def test_the_drawn_views_cost_the_same_at_5_and_500_events(client):
    from tests.test_queries import add_events

    build_site(5)
    small = counts_of(client)
    add_events(495, first=5)
    assert counts_of(client) == small


def test_place_links_of_the_drawing_use_existing_places(client):
    place = PlaceFactory(slug="somewhere")
    event = EventFactory(date="1956")
    event.places.add(place)
    html = client.get(EVENTS, {"view": "map"}).content.decode()
    assert "place=somewhere" in html
