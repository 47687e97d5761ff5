"""Historical dates as EDTF strings: parsing, bounds and a human reading.

The Library of Congress Extended Date/Time Format says what historians say:
"1919-02" (February 1919), "1939-21" (spring 1939), "1934~" (circa 1934),
"1953/1955" (some time from 1953 to 1955). The ``edtf`` library parses it; this
module turns a parsed value into the earliest and latest possible day, for
sorting and range filters, and into the words a reader expects.

``parse`` is total: any string becomes a HistoricalDate or raises ValidationError
with a sentence. What each kind of value covers:

- Days, months and years: their first to their last day. Seasons (21–24, and 25–32
  for each hemisphere), quarters (33–36), quadrimesters (37–39) and semesters
  (40–41): the months edtf gives them; winter (24, 28, 30) is the December of its
  year, as edtf counts it.
- Qualifiers, ? (uncertain), ~ (approximate) and % (both), on a whole date or on
  its parts (level 2): widen the bounds as edtf does, by a year, a month and a day
  for each qualified part (a season by twelve weeks).
- Unspecified digits: from the first to the last real day that fits. 195X is the
  1950s, 1956-1X October–December 1956, 1956-11-XX November 1956. A year with no
  known digit (XXXX) is refused: it would match every range.
- Significant digits (1950S2): the years they allow, 1900–1999.
- Open ("1956/..") and unknown ("1956/") interval ends, and the open members of a
  set ("[..1760]"): reach ten years (edtf's DELTA_IF_UNKNOWN) past the known end.
  An open end has no last day, but a bound at the end of time would put "1956/.."
  in every range filter after 1956; ten years keeps it near what is known, and the
  EDTF string still says the end is open, for a timeline that draws it fading out.
- Sets: "[1667,1668]" (one of them) and "{1960,1961}" (all of them) run from the
  first day of their earliest member to the last day of their latest.
- Long and exponential years (Y17000, Y1E3): accepted when they fall in AD 1–9999.

Refused, each with its reason: a time of day (it has its own field), a span that
ends before it starts, anything reaching outside AD 1–9999 (a Python date cannot
hold it), a day that never was (1955-02-29), spaces, and any character EDTF does
not use. Only the ASCII digits 0–9 count: "١٩٥٦" and "1956²" are refused.

Parsing is cheap. edtf's pyparsing grammar takes about 10 ms a value, so the plain
shapes (1956, 1956-11, 1956-11-04, 1934~, 1953/1955) are read without it; anything
longer than a model field or with a character EDTF never uses is refused before it;
and every answer, refusals included, is cached.
"""

import calendar
import datetime
import functools
import itertools
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from edtf import appsettings, parse_edtf
from edtf.parser.parser_classes import (
    EARLIEST,
    LATEST,
    UA,
    Consecutives,
    Date,
    DateAndTime,
    EarlierConsecutives,
    ExponentialYear,
    Interval,
    LaterConsecutives,
    Level1Interval,
    Level2Interval,
    Level2Season,
    LongYear,
    MultipleDates,
    OneOfASet,
    PartialUncertainOrApproximate,
    PartialUnspecified,
    Season,
    UncertainOrApproximate,
    Unspecified,
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
ORDINALS = ("first", "second", "third", "fourth")
SEASONS = {
    21: "spring {year}",
    22: "summer {year}",
    23: "autumn {year}",
    24: "winter {year}",
    **{
        code: f"{name} {{year}} ({hemisphere} Hemisphere)"
        for code, name, hemisphere in zip(
            range(25, 33),
            ("spring", "summer", "autumn", "winter") * 2,
            ("Northern",) * 4 + ("Southern",) * 4,
            strict=True,
        )
    },
    **{code: f"{ORDINALS[code - 33]} quarter of {{year}}" for code in range(33, 37)},
    **{code: f"{ORDINALS[code - 37]} quadrimester of {{year}}" for code in range(37, 40)},
    **{code: f"{ORDINALS[code - 40]} semester of {{year}}" for code in range(40, 42)},
}
QUALIFIERS = {"?": "uncertain", "~": "approximate", "%": "uncertain and approximate"}

# The help text of the models' date fields: changing it needs a migration.
EDTF_HELP = (
    "An EDTF date (Library of Congress Extended Date/Time Format). Examples: "
    "1956-11-04 (a day), 1919-02 (a month), 1942 (a year), 1939-21 (spring 1939; "
    "22 summer, 23 autumn, 24 winter), 1934~ (circa 1934), 1945? (uncertain), "
    "1953/1955 (some time from 1953 to 1955), 1990-03/1991-06-19 (a span)."
)

# The longest value a model's EDTF field holds; longer text is refused unread.
MAX_LENGTH = 100
# Every character EDTF uses, ASCII only: [0-9] does not match "²" or "١" as \d would.
EDTF_CHARACTERS = re.compile(r"[0-9X?~%/.,\[\]{}YES:TZ+-]+")
# The shape of any EDTF value, looser than edtf's grammar but linear to match (the
# atomic groups never backtrack): what fails it is refused without the grammar.
_PART = (
    r"[?~%]?(?:-?[0-9X]{4}|Y-?[0-9]+(?:E[0-9]+)?)(?:S[0-9]+)?"  # a year
    r"(?:[?~%]?-[?~%]?[0-9X]{2}){0,2}[?~%]?"  # a month or season, a day, qualifiers
    r"(?:T[0-9:]+(?:Z|[+-][0-9:]+)?)?"  # a time of day, refused with its own message
)
EDTF_SHAPE = re.compile(rf"[\[{{]?(?>{_PART}|/|,|\.\.)*+[\]}}]?")
_PLAIN = r"([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-([0-9]{2}))?)?"
PLAIN_DATE = re.compile(_PLAIN)
QUALIFIED_DATE = re.compile(_PLAIN + r"([?~%])")
PLAIN_SPAN = re.compile(_PLAIN + "/" + _PLAIN)
# edtf 5.0.2 crashes (AttributeError in a parse action) on a known year with an
# unspecified month and no day, such as 1956-1X; with its day left unspecified
# too it parses, and covers the same days.
MONTH_WITHOUT_DAY = re.compile(r"(?<![0-9X])([0-9]{4}-(?:[01]X|X[0-9X]))(?![0-9X-])")

INVALID = (
    "“%(value)s” is not a date this site understands. "
    "Use EDTF, for example 1956-11-04, 1919-02, 1939-21, 1934~ or 1953/1955."
)


@dataclass(frozen=True)
class HistoricalDate:
    """A parsed EDTF value with its bounds and reading."""

    edtf: str
    earliest: datetime.date
    latest: datetime.date
    reading: str


@dataclass(frozen=True)
class _Span:
    """What one part of a value covers, before and after its qualifiers widen it."""

    start: datetime.date
    end: datetime.date
    earliest: datetime.date
    latest: datetime.date
    reading: str


@dataclass(frozen=True)
class _Refusal:
    """A ValidationError's parts, kept so a refusal is cached like an answer."""

    message: str
    code: str
    params: dict


def parse(value):
    """Parse an EDTF string into a HistoricalDate, or raise ValidationError."""
    value = (value or "").strip()
    if len(value) > MAX_LENGTH:
        # Refused before the cache, so long junk never fills it.
        raise ValidationError(
            "Give a date of at most %(limit)d characters.",
            code="max_length",
            params={"limit": MAX_LENGTH},
        )
    answer = _read(value)
    if isinstance(answer, _Refusal):
        raise ValidationError(answer.message, code=answer.code, params=answer.params)
    return answer


@functools.lru_cache(maxsize=8192)
def _read(value):
    """Return the HistoricalDate for a stripped value, or the reason it is refused."""
    try:
        return _interpret(value)
    except ValidationError as error:
        return _Refusal(error.message, error.code, error.params or {})


def _interpret(value, fast=True):
    """Return the HistoricalDate for a stripped value, or raise ValidationError.

    With fast=False every value goes through edtf's grammar, for comparison.
    """
    span = _span(_tree(value, fast), value)
    return HistoricalDate(
        edtf=value, earliest=span.earliest, latest=span.latest, reading=span.reading
    )


def _tree(value, fast=True):
    """Return edtf's parsed object for a value, reading the plain shapes directly."""
    if not value:
        raise ValidationError("Enter a date.", code="required")
    if not EDTF_CHARACTERS.fullmatch(value):
        raise _bad_character(value)
    if fast and (tree := _plain_tree(value)) is not None:
        return tree
    if not EDTF_SHAPE.fullmatch(value):
        raise ValidationError(INVALID, code="invalid", params={"value": value[:50]})
    try:
        return parse_edtf(MONTH_WITHOUT_DAY.sub(r"\1-XX", value))
    except Exception:
        # Whatever edtf raises (a ParseException, or an error of its own parse
        # actions on a shape it mishandles), the value is not one it can read.
        raise ValidationError(INVALID, code="invalid", params={"value": value[:50]}) from None


def _plain_tree(value):
    """Build the objects edtf's grammar builds for a plain value, or return None."""
    if match := PLAIN_DATE.fullmatch(value):
        return _plain_date(*match.groups())
    if match := QUALIFIED_DATE.fullmatch(value):
        date = _plain_date(*match.groups()[:3])
        return None if date is None else UncertainOrApproximate(date, UA(match[4]))
    if match := PLAIN_SPAN.fullmatch(value):
        lower, upper = _plain_date(*match.groups()[:3]), _plain_date(*match.groups()[3:])
        return None if lower is None or upper is None else Interval(lower, upper)
    return None


def _plain_date(year, month, day):
    """Return a Date, or None where edtf's grammar would not take the day.

    The grammar allows 29 February in any year and no 31st in a 30-day month;
    this asks the same, so both ways give the same answer for every value.
    """
    if day is not None:
        longest = 29 if month == "02" else calendar.monthrange(2001, int(month))[1]
        if not 1 <= int(day) <= longest:
            return None
    return Date(year=year, month=month, day=day)


def _bad_character(value):
    """Return the error for a value with a character EDTF never uses, naming it."""
    if EDTF_CHARACTERS.fullmatch("".join(value.split())):
        return ValidationError(
            "Write the date without spaces, as EDTF does: 1956-11-04, 1953/1955, [1667,1668].",
            code="invalid",
        )
    character = next(c for c in value if not EDTF_CHARACTERS.fullmatch(c))
    if character in "xu":
        return ValidationError(
            "Write an unspecified digit as a capital X, as in 195X or 1956-1X.", code="invalid"
        )
    if character.isdecimal() or character.isdigit():
        return ValidationError(
            "Write the date with the digits 0–9; “%(character)s” is not one of them.",
            code="invalid",
            params={"character": character},
        )
    return ValidationError(INVALID, code="invalid", params={"value": value[:50]})


def _span(node, value):
    """Return the _Span of any parsed EDTF object, or raise ValidationError."""
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise ValidationError(
            "“%(value)s” cannot be placed on the timeline; give a more specific date.",
            code="unsupported",
            params={"value": value[:50]},
        )
    return handler(node, value)


def _out_of_range(value):
    return ValidationError(
        "“%(value)s” reaches outside the years 1 to 9999, which the timeline cannot show.",
        code="out_of_range",
        params={"value": value[:50]},
    )


def _widen(start, end, before, after):
    """Return start and end moved out by two margins, stopping at the calendar's ends.

    The margins are conventions (edtf's for a qualifier, ten years for an open end),
    not facts, so one that would pass year 1 or 9999 stops there.
    """
    return _shift(start, -before, datetime.date.min), _shift(end, after, datetime.date.max)


def _shift(day, delta, limit):
    """Return day moved by delta, or limit if that would leave the calendar."""
    try:
        return day + delta
    except (ValueError, OverflowError):
        return limit


def _padding(node, lean):
    """Return edtf's margin for a qualified object, or none where edtf has no answer."""
    try:
        return node._get_fuzzy_padding(lean) or relativedelta()
    except (AttributeError, TypeError, ValueError):
        return relativedelta()


# Days, months and years, with or without unspecified digits and qualified parts.


def _date_span(node, value):
    """Return the span of a day, month or year, with X digits or qualified parts."""
    # edtf's qualified-part objects never set significant_digits.
    if getattr(node, "significant_digits", None) is not None:
        if node._month:
            raise ValidationError(
                "Significant digits (S) apply to a year alone, as in 1950S2.",
                code="invalid",
            )
        year = node._year
        return _year_span(int(year), len(year.lstrip("-")), node.significant_digits, value)
    year, month, day = node._year, node._month, node._day
    if year.startswith("-"):
        raise _out_of_range(value)
    if year == "XXXX":
        raise ValidationError(
            "“%(value)s” leaves the whole year unspecified, so it cannot be placed on the "
            "timeline; give at least its first digit, as in 1XXX.",
            code="unspecified_year",
            params={"value": value[:50]},
        )
    start, end = _first_day(year, month, day, value), _last_day(year, month, day, value)
    reading = _read_day(year, month, day, start, end, str(node))
    if isinstance(node, PartialUncertainOrApproximate):
        reading = _read_part_qualifiers(node, reading)
    elif isinstance(node, Unspecified) and node.ua is not None:
        reading = _read_qualifier(node.ua, reading)
    if type(node) is Date or (isinstance(node, Unspecified) and node.ua is None):
        return _Span(start, end, start, end, reading)  # no qualifier, so no margin
    earliest, latest = _widen(start, end, _padding(node, EARLIEST), _padding(node, LATEST))
    return _Span(start, end, earliest, latest, reading)


def _digits(pattern, reverse=False):
    """Return the numbers whose digits fit pattern (X stands for any digit), in order."""
    if "X" not in pattern:
        return (int(pattern),)
    choices = ["0123456789" if digit == "X" else digit for digit in pattern]
    if reverse:
        choices = [digits[::-1] for digits in choices]
    return (int("".join(digits)) for digits in itertools.product(*choices))


def _fitting(pattern, low, high, reverse=False):
    """Return the numbers from low to high that fit pattern; all of them if it is absent."""
    if pattern is None or pattern == "XX":
        numbers = range(low, high + 1)
    else:
        numbers = [n for n in _digits(pattern) if low <= n <= high]
    return list(reversed(numbers)) if reverse else list(numbers)


def _first_day(year, month, day, value, reverse=False):
    """Return the first (or last) real day that the year, month and day patterns fit."""
    months = _fitting(month, 1, 12, reverse)
    for number in _digits(year, reverse):
        if not 1 <= number <= 9999:
            raise _out_of_range(value)
        for month_number in months:
            length = calendar.monthrange(number, month_number)[1]
            days = _fitting(day, 1, length, reverse)
            if days:
                return datetime.date(number, month_number, days[0])
    if "X" not in year + (month or "") + (day or ""):
        raise ValidationError(
            "There was no %(day)d %(month)s %(year)d.",
            code="no_such_day",
            params={"day": int(day), "month": MONTHS[int(month) - 1], "year": int(year)},
        )
    raise ValidationError(
        "No day in the calendar fits “%(value)s”.",
        code="no_such_day",
        params={"value": value[:50]},
    )


def _last_day(year, month, day, value):
    return _first_day(year, month, day, value, reverse=True)


def _read_day(year, month, day, start, end, text):
    """Return "4 November 1956", "October–December 1956", "the 1950s" and the like."""
    month_known = month is not None and month != "XX"
    day_known = day is not None and day != "XX"
    if "X" not in year:
        if not month_known and not day_known:
            return str(int(year))
        if month_known:
            months = _fitting(month, 1, 12)
            if not day_known:
                return f"{_run(MONTHS[n - 1] for n in months)} {int(year)}"
            if len(months) == 1:
                length = calendar.monthrange(int(year), months[0])[1]
                days = _run(str(n) for n in _fitting(day, 1, length))
                return f"{days} {MONTHS[months[0] - 1]} {int(year)}"
    elif not month_known and not day_known and year.rstrip("X").isdigit():
        unknown = len(year) - len(year.rstrip("X"))
        if unknown == 1:
            return f"{start.year}s"
        return f"{start.year}–{end.year}"
    if not month_known and not day_known:
        return f"{text}: some year from {start.year} to {end.year}"
    return f"{text}: some day from {_day(start)} to {_day(end)}"


def _run(items):
    """Return "October–December" for a run, "1, 11 or 21" for a scatter."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    numbers = [MONTHS.index(item) if item in MONTHS else int(item) for item in items]
    if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return f"{items[0]}–{items[-1]}"
    return _choice(items, "or")


def _choice(items, conjunction):
    """Return "a", "a or b", "a, b or c"; "a or earlier, or b" where an item has the word."""
    if len(items) == 1:
        return items[0]
    if any(f" {conjunction} " in item for item in items):
        return f"{', '.join(items[:-1])}, {conjunction} {items[-1]}"
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _day(day):
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _read_qualifier(ua, reading):
    """Return the reading of a whole date qualified by ?, ~ or %."""
    if ua.is_uncertain_and_approximate:
        return f"c. {reading}?"
    if ua.is_uncertain:
        return f"{reading}?"
    if ua.is_approximate:
        return f"c. {reading}"
    return reading


def _read_part_qualifiers(node, reading):
    """Return "4 November 1956 (month uncertain)" for qualifiers on a date's parts."""
    marks = {}
    for part, qualifier in (
        ("year", node.year_ua_b),
        ("year", node.year_ua),
        ("year", node.year_month_ua),
        ("month", node.year_month_ua),
        ("month", node.month_ua),
        ("day", node.day_ua),
    ):
        if qualifier is not None:
            marks[part] = str(qualifier)
    present = {
        part for part, text in (("year", 1), ("month", node._month), ("day", node._day)) if text
    }
    kinds = set(marks.values())
    if len(kinds) == 1 and set(marks) == present:
        return _read_qualifier(UA(kinds.pop()), reading)
    notes = []
    for symbol, kind in QUALIFIERS.items():
        parts = [part for part in ("year", "month", "day") if marks.get(part) == symbol]
        if parts:
            notes.append(f"{_choice(parts, 'and')} {kind}")
    return f"{reading} ({', '.join(notes)})"


def _year_span(year, digits, significant, value):
    """Return the years a year with significant digits allows: 1950S2 is 1900–1999."""
    step = 10 ** max(digits - significant, 0)
    first, last = year // step * step, (year // step + 1) * step - 1
    if not (1 <= first and last <= 9999):
        raise _out_of_range(value)
    start, end = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    reading = str(year) if first == last else f"{first}–{last} (estimated {year})"
    return _Span(start, end, start, end, reading)


def _long_year_span(node, value):
    if isinstance(node, ExponentialYear):
        # 10 ** exponent is computed only when small: Y1E999999999 would take hours.
        if int(node.exponent) > 4 or node.base.startswith("-"):
            raise _out_of_range(value)
        year = int(node.base) * 10 ** int(node.exponent)
    else:
        year = int(node.year)
    if not 1 <= year <= 9999:
        raise _out_of_range(value)
    digits = len(str(year))
    significant = node.significant_digits
    return _year_span(year, digits, digits if significant is None else significant, value)


def _season_span(node, value):
    year, code = node.year, int(node.season)
    if year.startswith("-") or int(year) == 0:
        raise _out_of_range(value)
    first, last = appsettings.SEASON_L2_MONTHS_RANGE[code]
    start = datetime.date(int(year), first, 1)
    end = datetime.date(int(year), last, calendar.monthrange(int(year), last)[1])
    return _Span(start, end, start, end, SEASONS[code].format(year=int(year)))


def _qualified_span(node, value):
    """Return the span of a level 1 date or season, with or without ?, ~ or %."""
    inner = _span(node.date, value)
    if node.ua is None:
        return inner
    if isinstance(node.date, Season):
        before = after = appsettings.PADDING_SEASON_PRECISION * node.ua._get_multiplier()
    else:
        before, after = _padding(node, EARLIEST), _padding(node, LATEST)
    earliest, latest = _widen(inner.earliest, inner.latest, before, after)
    reading = _read_qualifier(node.ua, inner.reading)
    return _Span(inner.start, inner.end, earliest, latest, reading)


# Spans and sets.


def _interval_span(node, value):
    lower, upper = node.lower, node.upper
    lower_missing = isinstance(lower, UnspecifiedIntervalSection)
    upper_missing = isinstance(upper, UnspecifiedIntervalSection)
    if lower_missing and upper_missing:
        raise ValidationError(
            "Give at least one end of the span “%(value)s”.",
            code="open_interval",
            params={"value": value[:50]},
        )
    if lower_missing or upper_missing:
        return _half_open_span(node, value)
    first, last = _span(lower, value), _span(upper, value)
    if last.end < first.start:
        raise ValidationError(
            "The span “%(value)s” ends before it starts.",
            code="reversed",
            params={"value": value[:50]},
        )
    reading = _read_span(lower, upper, first.reading, last.reading)
    return _Span(first.start, last.end, first.earliest, last.latest, reading)


def _half_open_span(node, value):
    """Return the span of "1956/..", "../1956", "1956/" or "/1956"; see the module doc."""
    reach = appsettings.DELTA_IF_UNKNOWN
    if isinstance(node.lower, UnspecifiedIntervalSection):
        known = _span(node.upper, value)
        earliest, _ = _widen(known.earliest, known.latest, reach, relativedelta())
        template = "until {}" if node.lower.is_open else "until {}, start unknown"
        return _Span(earliest, known.end, earliest, known.latest, template.format(known.reading))
    known = _span(node.lower, value)
    _, latest = _widen(known.earliest, known.latest, relativedelta(), reach)
    template = "from {} onwards" if node.upper.is_open else "from {}, end unknown"
    return _Span(known.start, latest, known.earliest, latest, template.format(known.reading))


def _read_span(lower, upper, lower_text, upper_text):
    """Return "1953–1955", "4–10 November 1956", "21 March – 1 August 1919"."""
    lower, upper = _unwrap(lower), _unwrap(upper)
    if type(lower) is Date and type(upper) is Date and lower._year == upper._year:
        if not lower.significant_digits and not upper.significant_digits:
            if lower._day and upper._day and lower._month == upper._month:
                return f"{int(lower._day)}–{upper_text}"
            lower_text = _read_without_year(lower)
    separator = "–" if " " not in lower_text + upper_text else " – "
    return f"{lower_text}{separator}{upper_text}"


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


def _set_span(node, value):
    """Return the span of "[1667,1668]" (one of them) or "{1960,1961}" (all of them)."""
    conjunction = "or" if isinstance(node, OneOfASet) else "and"
    spans, readings = [], []
    for member in node.objects:
        span = _span(member, value)
        spans.append(span)
        if isinstance(member, EarlierConsecutives):
            readings.append(f"{_span(member.upper, value).reading} {conjunction} earlier")
        elif isinstance(member, LaterConsecutives):
            readings.append(f"{_span(member.lower, value).reading} {conjunction} later")
        else:
            readings.append(span.reading)
    if not spans:
        raise ValidationError(INVALID, code="invalid", params={"value": value[:50]})
    return _Span(
        min(span.start for span in spans),
        max(span.end for span in spans),
        min(span.earliest for span in spans),
        max(span.latest for span in spans),
        _choice(readings, conjunction),
    )


def _refuse_time(node, value):
    raise ValidationError("Give the day here and the time of day in its own field.", code="time")


_HANDLERS = {
    Date: _date_span,
    Unspecified: _date_span,
    PartialUnspecified: _date_span,
    PartialUncertainOrApproximate: _date_span,
    Season: _season_span,
    Level2Season: _season_span,
    UncertainOrApproximate: _qualified_span,
    LongYear: _long_year_span,
    ExponentialYear: _long_year_span,
    Interval: _interval_span,
    Level1Interval: _interval_span,
    Level2Interval: _interval_span,
    Consecutives: _interval_span,
    EarlierConsecutives: _interval_span,
    LaterConsecutives: _interval_span,
    OneOfASet: _set_span,
    MultipleDates: _set_span,
    DateAndTime: _refuse_time,
}


def machine_readable(value):
    """Return an HTML <time datetime> value for an EDTF string, or ''.

    HTML accepts a year, a year-month or a full date, but no spans, qualifiers or
    unspecified digits; a qualified or spanning value gives its first part without
    the qualifier, and a part with X digits gives only what is known of it.
    """
    match = re.match(r"[\[{]?[?~%]?([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?", value or "")
    if not match or match[1] == "0000":
        return ""
    year, month, day = match.groups()
    if month is None or not 1 <= int(month) <= 12:
        return year  # a year alone, or a season
    if day is None or not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def with_time(reading, time):
    """Return the reading with a time of day: "4 November 1956, 03:00"."""
    if time is None:
        return reading
    return f"{reading}, {time:%H:%M}"
