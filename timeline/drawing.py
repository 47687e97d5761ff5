"""The timeline drawn as SVG on the server: periods as bands, events on an axis.

The drawing shows how uncertain each date is, from what the event stores (its EDTF
string and its earliest and latest day, never parsed here): an exact day is a point,
a month or a season a short bar, "c. 1934" a range fading out to both sides,
"1953/1955" a range with end caps, and an open end fades out.

Zoom is in the URL: the whole span of the data, a decade, a year, a month or a day,
around a date (``at``). Dense stretches become counted clusters: the events in the
window are counted in one grouped query by calendar unit (year, month, day or hour),
the units are gathered into BINS columns, and a column holding more than INDIVIDUAL
events is one mark linking to the list of its span. Only the events of the sparse
columns are read, so a drawing has at most BINS × (INDIVIDUAL + 1) marks whatever the
number of events.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    Value,
    When,
)
from django.db.models.functions import Cast, Greatest
from django.urls import reverse
from django.utils.http import urlencode

ZOOMS = ("all", "decade", "year", "month", "day")
ZOOM_LABELS = {
    "all": "Whole span",
    "decade": "Decade",
    "year": "Year",
    "month": "Month",
    "day": "Day",
}
WIDTH = 1000
BINS = 60
INDIVIDUAL = 3
MAX_LANES = 8
LANE = 22
BAND = 30
CLUSTER_ROW = 34
AXIS = 40
MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
TICK_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000)
MAX_YEAR_TICKS = 10
AT_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
ONE_DAY = datetime.timedelta(days=1)
# Filter parameters the drawing's own links leave out or set themselves.
VIEW_PARAMS = ("view", "zoom", "at", "page")


class ZoomError(ValueError):
    """A zoom or date in the URL the drawing cannot use; the message is a sentence."""


def parse_at(value):
    """Return the day a year, month or day in the URL starts on, or raise ZoomError."""
    match = AT_PATTERN.match(value or "")
    try:
        if match is None:
            raise ValueError
        year, month, day = (int(part) if part else 1 for part in match.groups())
        return datetime.date(year, month, day)
    except ValueError:
        raise ZoomError(
            f"“{(value or '')[:30]}” is not a date to zoom to. Give a year (1956), a month "
            "(1956-11) or a day (1956-11-04)."
        ) from None


def parse_zoom(value):
    """Return the zoom level named in the URL ("all" when none), or raise ZoomError."""
    value = value or "all"
    if value not in ZOOMS:
        raise ZoomError(
            f"There is no zoom “{value[:30]}”. Choose one of: {', '.join(ZOOMS)} "
            "(all is the whole span)."
        )
    return value


def add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class Window:
    """The stretch of time a drawing shows, from start up to (not including) end."""

    zoom: str
    focus: datetime.date
    start: datetime.date
    end: datetime.date

    @classmethod
    def around(cls, zoom, focus, span=None):
        """Return the window of a zoom level that holds focus (the data's span for "all")."""
        try:
            if zoom == "all":
                first, last = span
                start, end = datetime.date(first.year, 1, 1), datetime.date(last.year + 1, 1, 1)
            elif zoom == "decade":
                start = datetime.date(focus.year // 10 * 10 or 1, 1, 1)
                end = datetime.date(focus.year // 10 * 10 + 10, 1, 1)
            elif zoom == "year":
                start, end = datetime.date(focus.year, 1, 1), datetime.date(focus.year + 1, 1, 1)
            elif zoom == "month":
                start = focus.replace(day=1)
                end = add_months(start, 1)
            else:
                start, end = focus, focus + ONE_DAY
        except (ValueError, OverflowError):
            raise ZoomError(f"The years around {focus.year} cannot be drawn.") from None
        return cls(zoom, focus, start, end)

    @property
    def days(self):
        return (self.end - self.start).days

    def x(self, day, minutes=None):
        """Return the horizontal place of a day (and a time into it) in the drawing."""
        offset = (day - self.start).days + (minutes / 1440 if minutes is not None else 0)
        return offset / self.days * WIDTH

    def step(self, direction):
        """Return the focus of the window before (-1) or after (1) this one."""
        try:
            if self.zoom == "decade":
                return self.start.replace(year=self.start.year + 10 * direction)
            if self.zoom == "year":
                return self.start.replace(year=self.start.year + direction)
            if self.zoom == "month":
                return add_months(self.start, direction)
            return self.start + ONE_DAY * direction
        except (ValueError, OverflowError):
            return None

    @property
    def label(self):
        """Return what the window shows, as a reader says it."""
        if self.zoom == "all":
            last = self.end.year - 1
            return str(self.start.year) if last == self.start.year else f"{self.start.year}–{last}"
        if self.zoom == "decade":
            return f"the {self.start.year}s"
        if self.zoom == "year":
            return str(self.start.year)
        if self.zoom == "month":
            return f"{self.start:%B} {self.start.year}"
        return day_text(self.start)


def day_text(day):
    return f"{day.day} {day:%B} {day.year}"


def span_text(first, last):
    """Return a span of days as a reader says it: "4–10 November 1956", "1955–1957"."""
    if first == last:
        return day_text(first)
    whole_years = (
        first.month == 1
        and first.day == 1
        and (last + ONE_DAY).timetuple()[1:3]
        == (
            1,
            1,
        )
    )
    if whole_years:
        return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    if first.year == last.year and first.month == last.month:
        return f"{first.day}–{last.day} {first:%B} {first.year}"
    return f"{day_text(first)} – {day_text(last)}"


def shape_of(date, earliest, latest):
    """Return how an event's date is drawn, and which ends fade out.

    Read from the stored EDTF string and bounds, without parsing: open and unknown
    ends ("1956/..", "1956/", "[..1760]"), qualifiers (~ ? %), intervals (/), a
    single day, or anything else that covers more than a day (a month, a season,
    a year).
    """
    open_start = date.startswith(("/", "../", "[..", "{.."))
    open_end = date.endswith(("/", "/..", "..]", "..}"))
    if open_start or open_end:
        return "open", open_start, open_end
    if any(mark in date for mark in "~?%"):
        return "approximate", True, True
    if "/" in date:
        return "range", False, False
    if earliest == latest:
        return "point", False, False
    return "span", False, False


UNITS = {"all": "year", "decade": "month", "year": "day", "month": "day", "day": "hour"}


def unit_expression(window):
    """Return an integer naming each event's calendar unit in the window, by its start.

    Events that start before the window count in its first unit; within a day, the
    unit is the hour, and an event without a time counts in the first.
    """
    if window.zoom == "day":
        return Case(
            When(date_earliest__lt=window.start, then=Value(-1)),
            When(time_key__lt=0, then=Value(-1)),
            default=F("time_key") / 60,
            output_field=IntegerField(),
        )
    start = Greatest(
        F("date_earliest"), Value(window.start, output_field=DateField()), output_field=DateField()
    )
    return DateNumber(start, unit=UNITS[window.zoom])


class DateNumber(Func):
    """A day as the number of its year (1956), month (195611) or day (19561104).

    Built from the database's own date formatting: Django's Extract functions run a
    Python function per row on SQLite, which costs half a second over 100,000 events.
    """

    output_field = IntegerField()
    FORMATS = {"year": ("%Y", "YYYY"), "month": ("%Y%m", "YYYYMM"), "day": ("%Y%m%d", "YYYYMMDD")}

    def __init__(self, expression, unit):
        super().__init__(expression)
        self.unit = unit

    def as_sqlite(self, compiler, connection, **extra):
        pattern = Value(self.FORMATS[self.unit][0])
        text = Func(pattern, *self.get_source_expressions(), function="strftime")
        return Cast(text, IntegerField()).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection, **extra):
        pattern = Value(self.FORMATS[self.unit][1])
        text = Func(*self.get_source_expressions(), pattern, function="to_char")
        return Cast(text, IntegerField()).as_sql(compiler, connection)


def unit_bounds(window, unit):
    """Return the first and last day a unit (as unit_expression numbers it) covers."""
    kind = UNITS[window.zoom]
    if kind == "hour":
        return window.start, window.start
    if kind == "year":
        first = datetime.date(unit, 1, 1)
        return first, datetime.date(unit, 12, 31)
    if kind == "month":
        first = datetime.date(unit // 100, unit % 100, 1)
        return first, add_months(first, 1) - ONE_DAY
    day = datetime.date(unit // 10000, unit // 100 % 100, unit % 100)
    return day, day


def unit_x(window, unit):
    """Return where a unit starts in the drawing."""
    if UNITS[window.zoom] == "hour":
        return max(unit, 0) * 60 / 1440 * WIDTH
    return window.x(max(unit_bounds(window, unit)[0], window.start))


def bin_of(x):
    return min(BINS - 1, max(0, int(x / WIDTH * BINS)))


def data_span(events):
    """Return the first and last day of the events, or None when there are none."""
    span = events.order_by().aggregate(first=Min("date_earliest"), last=Max("date_latest"))
    return (span["first"], span["last"]) if span["first"] else None


def in_window(queryset, window):
    return queryset.filter(date_latest__gte=window.start, date_earliest__lt=window.end)


class Drawing:
    """The marks of one window of the timeline, laid out for templates/includes."""

    def __init__(self, window, events, periods, list_params=None):
        self.window = window
        self.list_params = list_params or []
        self.list_url = reverse("timeline:event-list")
        events = in_window(events.order_by(), window)
        self.columns = self.count_columns(events)
        self.total = sum(count for count, _ in self.columns.values())
        sparse = [
            unit for count, units in self.columns.values() if count <= INDIVIDUAL for unit in units
        ]
        self.clusters = self.make_clusters()
        self.marks = self.make_marks(events, sparse) if sparse else []
        self.lane_count = self.place_in_lanes(self.marks)
        self.bands, self.band_rows = self.make_bands(periods)
        self.ticks = self.make_ticks()

    # Reading the data: two queries, whatever the number of events.

    def count_columns(self, events):
        """Return, by column, the number of events starting in it and their units."""
        rows = (
            events.annotate(unit=unit_expression(self.window))
            .values("unit")
            .annotate(count=Count("pk"))
            .values_list("unit", "count")
        )
        columns = {}
        for unit, count in rows:
            column = columns.setdefault(bin_of(unit_x(self.window, unit)), [0, []])
            column[0] += count
            column[1].append(unit)
        return {column: (count, sorted(units)) for column, (count, units) in columns.items()}

    def make_marks(self, events, units):
        fields = ("slug", "title", "date", "date_earliest", "date_latest", "date_reading")
        rows = (
            events.annotate(unit=unit_expression(self.window))
            .filter(unit__in=units)
            .order_by("date_earliest", "date_latest", "time_key", "title", "pk")
            .values(*fields, "time_key")[: BINS * INDIVIDUAL]
        )
        url = reverse("timeline:event-detail", kwargs={"slug": "--slug--"})
        return [self.mark(row, url.replace("--slug--", row["slug"])) for row in rows]

    # Laying out.

    def mark(self, row, url):
        window = self.window
        shape, fade_start, fade_end = shape_of(
            row["date"], row["date_earliest"], row["date_latest"]
        )
        timed = row["time_key"] >= 0
        x1 = window.x(row["date_earliest"], row["time_key"] if timed else None)
        x2 = window.x(row["date_latest"] + ONE_DAY)
        if shape == "point":
            x1 = x2 = window.x(row["date_earliest"], row["time_key"] if timed else 720)
        label = row["date_reading"]
        if timed:
            label += f", {row['time_key'] // 60:02d}:{row['time_key'] % 60:02d}"
        x1, x2 = max(x1, 0), min(x2, WIDTH)
        return {
            "url": url,
            "title": row["title"],
            "label": f"{row['title']}, {label}",
            "shape": shape,
            "fade": "both"
            if fade_start and fade_end
            else "start"
            if fade_start
            else "end"
            if fade_end
            else "",
            "x1": round(x1, 1),
            "x2": round(x2, 1),
            "cx": round((x1 + x2) / 2, 1),
            "width": round(max(x2 - x1, 4), 1),
        }

    def make_clusters(self):
        clusters = []
        for column, (count, units) in sorted(self.columns.items()):
            if count <= INDIVIDUAL:
                continue
            first = max(unit_bounds(self.window, units[0])[0], self.window.start)
            last = min(unit_bounds(self.window, units[-1])[1], self.window.end - ONE_DAY)
            if UNITS[self.window.zoom] == "hour":
                first = last = self.window.start
            # At least wide enough for its number, and inside the drawing.
            width = max(WIDTH / BINS - 2, 12 + 8 * len(str(count)))
            x1 = min(max(column * WIDTH / BINS + (WIDTH / BINS - width) / 2, 0), WIDTH - width)
            x2 = x1 + width + 2
            params = [*self.list_params, ("start", first.isoformat()), ("end", last.isoformat())]
            clusters.append(
                {
                    "count": count,
                    "url": f"{self.list_url}?{urlencode(params)}",
                    "label": f"{count} events from {span_text(first, last)}: show them in the list",
                    "x": round(x1 + 1, 1),
                    "width": round(x2 - x1 - 2, 1),
                    "cx": round((x1 + x2) / 2, 1),
                }
            )
        return clusters

    @staticmethod
    def place_in_lanes(marks):
        """Give each mark the first lane where it clears the marks before it."""
        ends = []
        for mark in marks:
            start, end = mark["x1"] - 6, max(mark["x2"], mark["x1"] + 4) + 6
            lane = next((index for index, lane_end in enumerate(ends) if lane_end <= start), None)
            if lane is None:
                lane = len(ends) if len(ends) < MAX_LANES else ends.index(min(ends))
                if lane == len(ends):
                    ends.append(end)
            ends[lane] = max(ends[lane], end)
            mark["lane"] = lane
        return len(ends)

    def make_bands(self, periods):
        bands = []
        fields = ("slug", "title", "date_reading", "date_earliest", "date_latest", "tree_path")
        url = reverse("timeline:period-detail", kwargs={"slug": "--slug--"})
        rows = in_window(periods, self.window).order_by("date_earliest", "title").values(*fields)
        for row in rows:
            depth = min(row["tree_path"].count("/") - 2, 1) if row["tree_path"] else 0
            x1 = max(self.window.x(row["date_earliest"]), 0)
            x2 = min(self.window.x(row["date_latest"] + ONE_DAY), WIDTH)
            width = max(x2 - x1, 3)
            fits = int(width / 7.5)
            title = row["title"]
            bands.append(
                {
                    "url": url.replace("--slug--", row["slug"]),
                    "slug": row["slug"],
                    "label": f"{title}, {row['date_reading']}",
                    # The whole title or none: the visible words stay part of the link's name.
                    "text": title if len(title) <= fits else "",
                    "row": depth,
                    "x": round(x1, 1),
                    "width": round(width, 1),
                }
            )
        rows = 1 + max((band["row"] for band in bands), default=-1)
        for index, band in enumerate(bands):
            band["colour"] = index % 5 + 1
            band["y"] = band["row"] * BAND
        return bands, rows

    def make_ticks(self):
        """Return the labelled places along the axis, each linking one level closer."""
        window, ticks = self.window, []
        finer = ZOOMS[ZOOMS.index(window.zoom) + 1] if window.zoom != "day" else None
        if window.zoom == "all":
            for year, at in year_ticks(window.start.year, window.end.year - 1):
                ticks.append((datetime.date(at, 1, 1), str(year), f"the {year // 10 * 10}s"))
        elif window.zoom == "decade":
            for year in range(window.start.year, window.end.year):
                ticks.append((datetime.date(year, 1, 1), str(year), str(year)))
        elif window.zoom == "year":
            for month in range(12):
                day = datetime.date(window.start.year, month + 1, 1)
                ticks.append((day, MONTH_ABBREVIATIONS[month], f"{day:%B} {day.year}"))
        elif window.zoom == "month":
            for number in (1, 5, 10, 15, 20, 25):
                day = window.start.replace(day=number)
                ticks.append((day, str(number), day_text(day)))
        else:
            return [
                {"x": round(hour / 24 * WIDTH, 1), "text": f"{hour:02d}:00", "url": ""}
                for hour in range(0, 24, 3)
            ]
        return [
            {
                "x": round(window.x(day), 1),
                "text": text,
                "url": zoom_url(self.list_params, finer, min(day, window.end - ONE_DAY))
                if finer
                else "",
                "label": f"{text}: zoom to {name}",
            }
            for day, text, name in ticks
        ]

    @property
    def cluster_top(self):
        return self.band_rows * BAND + (8 if self.band_rows else 0)

    @property
    def lanes_top(self):
        return self.cluster_top + (CLUSTER_ROW if self.clusters else 0)

    @property
    def axis_y(self):
        return self.lanes_top + max(self.lane_count, 1) * LANE + 8

    @property
    def height(self):
        return self.axis_y + AXIS

    def layout(self):
        """Return the marks with their vertical places, in reading order."""
        for mark in self.marks:
            mark["y"] = self.lanes_top + mark["lane"] * LANE + LANE // 2
        for cluster in self.clusters:
            cluster["y"] = self.cluster_top + 4
        return self


def year_ticks(first, last):
    """Return the years to label along a span of years, and the year each stands at.

    The first and last year are always labelled; between them, round years at the
    smallest step that keeps the labels few. The last year's label stands at the
    end of that year, where the span ends.
    """
    length = last + 1 - first
    step = next((step for step in TICK_STEPS if length / step <= MAX_YEAR_TICKS), TICK_STEPS[-1])
    years = [first]
    year = (first // step + 1) * step
    while year < last:
        if year - years[-1] >= step / 2 and last - year >= step / 2:
            years.append(year)
        year += step
    if last != first:
        years.append(last)
    return [(year, year + 1 if year == last and last != first else year) for year in years]


def zoom_url(params, zoom, focus):
    """Return the timeline view's URL at a zoom level around a day, with the filters."""
    query = [*params, ("view", "timeline"), ("zoom", zoom)]
    # The whole span keeps the day it was reached from, so zooming back in returns there.
    if focus is not None:
        query.append(("at", focus.isoformat()))
    return f"{reverse('timeline:event-list')}?{urlencode(query)}"


def filter_params(querydict):
    """Return the filters of a request's query string, without the view's own parameters."""
    return [
        (key, value)
        for key in querydict
        if key not in VIEW_PARAMS
        for value in querydict.getlist(key)
        if value
    ]


def zoom_links(window, params):
    """Return a link for each zoom level, and to the windows before and after this one."""
    focus = window.focus
    levels = [
        {
            "zoom": zoom,
            "label": ZOOM_LABELS[zoom],
            "url": zoom_url(params, zoom, focus),
            "current": zoom == window.zoom,
        }
        for zoom in ZOOMS
    ]
    index = ZOOMS.index(window.zoom)
    links = {"levels": levels}
    if index > 0:
        links["out"] = levels[index - 1]
    if index < len(ZOOMS) - 1:
        links["in"] = levels[index + 1]
    if window.zoom != "all":
        for name, direction in (("earlier", -1), ("later", 1)):
            focus = window.step(direction)
            if focus is not None:
                neighbour = Window.around(window.zoom, focus)
                url = zoom_url(params, window.zoom, focus)
                links[name] = {"url": url, "label": neighbour.label}
    return links
