"""Historical dates as EDTF strings: parsing, bounds and a human reading.

The Library of Congress Extended Date/Time Format says what historians say:
"1919-02" (February 1919), "1939-21" (spring 1939), "1934~" (circa 1934),
"1953/1955" (some time from 1953 to 1955). The ``edtf`` library parses it; this
module turns a parsed value into the earliest and latest possible day, for
sorting and range filters, and into the words a reader expects.
"""

import datetime
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from edtf import parse_edtf, struct_time_to_date
from edtf.parser.edtf_exceptions import EDTFParseException
from edtf.parser.parser_classes import (
    Date,
    DateAndTime,
    Interval,
    Level1Interval,
    Season,
    UncertainOrApproximate,
    UnspecifiedIntervalSection,
)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}

EDTF_HELP = (
    "An EDTF date (Library of Congress Extended Date/Time Format). Examples: "
    "1956-11-04 (a day), 1919-02 (a month), 1942 (a year), 1939-21 (spring 1939; "
    "22 summer, 23 autumn, 24 winter), 1934~ (circa 1934), 1945? (uncertain), "
    "1953/1955 (some time from 1953 to 1955), 1990-03/1991-06-19 (a span)."
)


@dataclass(frozen=True)
class HistoricalDate:
    """A parsed EDTF value with its bounds and reading."""

    edtf: str
    earliest: datetime.date
    latest: datetime.date
    reading: str


def parse(value):
    """Parse an EDTF string into a HistoricalDate, or raise ValidationError."""
    return _parse((value or "").strip())


@functools.lru_cache(maxsize=4096)
def _parse(value):
    """Parse a stripped EDTF string; answers are kept, as edtf's parser is slow."""
    if not value:
        raise ValidationError("Enter a date.", code="required")
    try:
        parsed = parse_edtf(value)
    except (EDTFParseException, ValueError, TypeError, OverflowError):
        raise ValidationError(
            "“%(value)s” is not a date this site understands. "
            "Use EDTF, for example 1956-11-04, 1919-02, 1939-21, 1934~ or 1953/1955.",
            code="invalid",
            params={"value": value[:50]},
        ) from None
    if isinstance(parsed, DateAndTime):
        raise ValidationError(
            "Give the day here and the time of day in its own field.", code="time"
        )
    if isinstance(parsed, (Interval, Level1Interval)):
        for end in (parsed.lower, parsed.upper):
            if isinstance(end, UnspecifiedIntervalSection):
                raise ValidationError(
                    "Give both ends of the span (an open or unknown end cannot be "
                    "placed on the timeline).",
                    code="open_interval",
                )
    try:
        reading = read(parsed)
        earliest = struct_time_to_date(parsed.lower_fuzzy())
        latest = struct_time_to_date(parsed.upper_fuzzy())
    except (ValueError, TypeError, OverflowError, AttributeError):
        raise ValidationError(
            "“%(value)s” cannot be placed on the timeline; give a more specific date.",
            code="unsupported",
            params={"value": value[:50]},
        ) from None
    if isinstance(parsed, (Interval, Level1Interval)):
        lower_start = struct_time_to_date(parsed.lower.lower_strict())
        upper_end = struct_time_to_date(parsed.upper.upper_strict())
        if upper_end < lower_start:
            raise ValidationError(
                "The span “%(value)s” ends before it starts.",
                code="reversed",
                params={"value": value},
            )
    return HistoricalDate(edtf=value, earliest=earliest, latest=latest, reading=reading)


def read(parsed):
    """Return the human reading of a parsed EDTF value."""
    if isinstance(parsed, (Interval, Level1Interval)):
        lower, upper = parsed.lower, parsed.upper
        lower_text, upper_text = read(lower), read(upper)
        lower, upper = _unwrap(lower), _unwrap(upper)
        if _plain(lower) and _plain(upper) and lower._year == upper._year:
            if lower._day and upper._day and lower._month == upper._month:
                return f"{int(lower._day)}–{upper_text}"
            lower_text = _read_without_year(lower)
        separator = "–" if " " not in lower_text + upper_text else " – "
        return f"{lower_text}{separator}{upper_text}"
    if isinstance(parsed, UncertainOrApproximate):
        inner = read(parsed.date)
        qualifier = parsed.ua
        if qualifier is None:
            return inner
        if qualifier._uncertain_and_approximate:
            return f"c. {inner}?"
        if qualifier._is_uncertain:
            return f"{inner}?"
        return f"c. {inner}"
    if isinstance(parsed, Season):
        return f"{SEASONS[int(parsed.season)]} {int(parsed._year)}"
    if isinstance(parsed, Date):
        year = int(parsed._year)
        month = parsed._month
        day = parsed._day
        if month and day:
            return f"{int(day)} {MONTHS[int(month) - 1]} {year}"
        if month:
            return f"{MONTHS[int(month) - 1]} {year}"
        return str(year)
    return str(parsed)


def _plain(part):
    return type(part) is Date


def _unwrap(part):
    """Return the bare Date of an interval end that carries no qualifier."""
    if isinstance(part, UncertainOrApproximate) and part.ua is None:
        return part.date
    return part


def _read_without_year(part):
    """Return "4 November" or "March" for a Date, so a span reads "4–10 November 1956"."""
    if part._month and part._day:
        return f"{int(part._day)} {MONTHS[int(part._month) - 1]}"
    if part._month:
        return MONTHS[int(part._month) - 1]
    return str(int(part._year))


def machine_readable(value):
    """Return an HTML <time datetime> value for an EDTF string, or ''.

    HTML accepts a year, a year-month or a full date, but no spans or qualifiers;
    a qualified or spanning value gives its first part without the qualifier.
    """
    first = value.split("/")[0].rstrip("~?%")
    parts = first.split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4:
        return ""
    if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) > 12:
        return parts[0]  # a season
    return "-".join(parts[:3])


def with_time(reading, time):
    """Return the reading with a time of day: "4 November 1956, 03:00"."""
    if time is None:
        return reading
    return f"{reading}, {time:%H:%M}"
