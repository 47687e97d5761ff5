import contextlib
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from edtf import parse_edtf
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from timeline import dates


@pytest.mark.parametrize(
    ("value", "reading"),
    [
        ("1919-02", "February 1919"),
        ("1939-21", "spring 1939"),
        ("1934~", "c. 1934"),
        ("1945?", "1945?"),
        ("1953/1955", "1953–1955"),
        ("1956-11-04", "4 November 1956"),
        ("1990-03/1991-06-19", "March 1990 – 19 June 1991"),
        ("1956-11-04/1956-11-10", "4–10 November 1956"),
        ("1919-03-21/1919-08-01", "21 March – 1 August 1919"),
        ("1942", "1942"),
    ],
)
def test_edtf_values_read_as_a_historian_writes_them(value, reading):
    assert dates.parse(value).reading == reading


@pytest.mark.parametrize(
    ("value", "earliest", "latest"),
    [
        ("1919-02", "1919-02-01", "1919-02-28"),
        ("1939-21", "1939-03-01", "1939-05-31"),
        ("1934~", "1933-01-01", "1935-12-31"),
        ("1953/1955", "1953-01-01", "1955-12-31"),
        ("1990-03/1991-06-19", "1990-03-01", "1991-06-19"),
        ("1956-11-04", "1956-11-04", "1956-11-04"),
    ],
)
def test_bounds_are_the_earliest_and_latest_possible_day(value, earliest, latest):
    parsed = dates.parse(value)
    assert parsed.earliest == datetime.date.fromisoformat(earliest)
    assert parsed.latest == datetime.date.fromisoformat(latest)


def test_bounds_sort_values_into_time_order():
    values = ["1956-11-04", "1934~", "1990-03/1991-06-19", "1919-02", "1939-21", "1953/1955"]
    ordered = sorted(values, key=lambda value: (dates.parse(value).earliest, value))
    assert ordered == [
        "1919-02",
        "1934~",
        "1939-21",
        "1953/1955",
        "1956-11-04",
        "1990-03/1991-06-19",
    ]


# Each of EDTF's features: its reading, its earliest day and its latest day.
FEATURES = [
    # Seasons of each hemisphere, quarters, quadrimesters and semesters (level 2).
    ("1956-25", "spring 1956 (Northern Hemisphere)", "1956-03-01", "1956-05-31"),
    ("1956-28", "winter 1956 (Northern Hemisphere)", "1956-12-01", "1956-12-31"),
    ("1956-29", "spring 1956 (Southern Hemisphere)", "1956-09-01", "1956-11-30"),
    ("1956-32", "winter 1956 (Southern Hemisphere)", "1956-06-01", "1956-08-31"),
    ("1956-33", "first quarter of 1956", "1956-01-01", "1956-03-31"),
    ("1956-36", "fourth quarter of 1956", "1956-10-01", "1956-12-31"),
    ("1956-37", "first quadrimester of 1956", "1956-01-01", "1956-04-30"),
    ("1956-39", "third quadrimester of 1956", "1956-09-01", "1956-12-31"),
    ("1956-40", "first semester of 1956", "1956-01-01", "1956-06-30"),
    ("1956-41", "second semester of 1956", "1956-07-01", "1956-12-31"),
    ("1956-24", "winter 1956", "1956-12-01", "1956-12-31"),
    # Unspecified digits.
    ("195X", "1950s", "1950-01-01", "1959-12-31"),
    ("19XX", "1900–1999", "1900-01-01", "1999-12-31"),
    ("1XXX", "1000–1999", "1000-01-01", "1999-12-31"),
    ("1956-XX", "1956", "1956-01-01", "1956-12-31"),
    ("1956-1X", "October–December 1956", "1956-10-01", "1956-12-31"),
    ("1956-0X", "January–September 1956", "1956-01-01", "1956-09-30"),
    ("1956-X1", "January or November 1956", "1956-01-01", "1956-11-30"),
    ("1956-11-XX", "November 1956", "1956-11-01", "1956-11-30"),
    ("1956-XX-XX", "1956", "1956-01-01", "1956-12-31"),
    ("1956-11-1X", "10–19 November 1956", "1956-11-10", "1956-11-19"),
    ("1956-11-X1", "1, 11 or 21 November 1956", "1956-11-01", "1956-11-21"),
    ("1956-02-2X", "20–29 February 1956", "1956-02-20", "1956-02-29"),
    ("19X6", "19X6: some year from 1906 to 1996", "1906-01-01", "1996-12-31"),
    (
        "195X-11-04",
        "195X-11-04: some day from 4 November 1950 to 4 November 1959",
        "1950-11-04",
        "1959-11-04",
    ),
    ("195X~", "c. 1950s", "1940-01-01", "1969-12-31"),
    (
        "1956-1X/1957-0X",
        "October–December 1956 – January–September 1957",
        "1956-10-01",
        "1957-09-30",
    ),
    # Qualifiers on the parts of a date (level 2), widened as edtf widens them.
    ("?1956-11-04", "4 November 1956 (year uncertain)", "1955-11-04", "1957-11-04"),
    ("1956-?11-04", "4 November 1956 (month uncertain)", "1956-10-04", "1956-12-04"),
    ("1956-11-~04", "4 November 1956 (day approximate)", "1956-11-03", "1956-11-05"),
    ("1956-11?-04", "4 November 1956 (year and month uncertain)", "1955-10-04", "1957-12-04"),
    ("2004?-06-~11", "11 June 2004 (year uncertain, day approximate)", "2003-06-10", "2005-06-12"),
    ("?1956-?11-?04", "4 November 1956?", "1955-10-03", "1957-12-05"),
    ("1956%", "c. 1956?", "1954-01-01", "1958-12-31"),
    # Open and unknown ends: ten years beyond the known end.
    ("1956/..", "from 1956 onwards", "1956-01-01", "1966-12-31"),
    ("../1956", "until 1956", "1946-01-01", "1956-12-31"),
    ("1956/", "from 1956, end unknown", "1956-01-01", "1966-12-31"),
    ("/1956", "until 1956, start unknown", "1946-01-01", "1956-12-31"),
    ("1956-11-04/..", "from 4 November 1956 onwards", "1956-11-04", "1966-11-04"),
    ("1956-21/1956-23", "spring 1956 – autumn 1956", "1956-03-01", "1956-11-30"),
    ("1956~/1957?", "c. 1956 – 1957?", "1955-01-01", "1958-12-31"),
    # Sets.
    ("[1667,1668]", "1667 or 1668", "1667-01-01", "1668-12-31"),
    ("{1960,1961}", "1960 and 1961", "1960-01-01", "1961-12-31"),
    ("[1667,1668,1670..1672]", "1667, 1668 or 1670–1672", "1667-01-01", "1672-12-31"),
    ("[..1760-12-03]", "3 December 1760 or earlier", "1750-12-03", "1760-12-03"),
    ("[1760-12..]", "December 1760 or later", "1760-12-01", "1770-12-31"),
    ("{..1984}", "1984 and earlier", "1974-01-01", "1984-12-31"),
    ("[..1760,1770..]", "1760 or earlier, or 1770 or later", "1750-01-01", "1780-12-31"),
    ("{1956-1X,1960}", "October–December 1956 and 1960", "1956-10-01", "1960-12-31"),
    # Significant digits, long and exponential years.
    ("1950S2", "1900–1999 (estimated 1950)", "1900-01-01", "1999-12-31"),
    ("Y1E3", "1000", "1000-01-01", "1000-12-31"),
    ("Y1E3S2", "1000–1099 (estimated 1000)", "1000-01-01", "1099-12-31"),
    # A margin that would pass the calendar's end stops there.
    ("9999~", "c. 9999", "9998-01-01", "9999-12-31"),
    ("../0005", "until 5", "0001-01-01", "0005-12-31"),
]


@pytest.mark.parametrize(("value", "reading", "earliest", "latest"), FEATURES)
def test_every_edtf_feature_has_a_reading_and_bounds(value, reading, earliest, latest):
    parsed = dates.parse(value)
    assert parsed.reading == reading
    assert parsed.earliest == datetime.date.fromisoformat(earliest)
    assert parsed.latest == datetime.date.fromisoformat(latest)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1956-13-45", "invalid"),
        ("the fifties", "invalid"),
        ("", "required"),
        ("1955/1953", "reversed"),
        ("../..", "open_interval"),
        ("1956-11-04T03:00:00", "time"),
        ("1955-02-29", "no_such_day"),
        ("1956-02-~31", "no_such_day"),
        ("1956-02-3X", "no_such_day"),
        ("XXXX", "unspecified_year"),
        ("0XXX", "out_of_range"),
        ("-1956", "out_of_range"),
        ("0000", "out_of_range"),
        ("Y17000", "out_of_range"),
        ("Y1E999999999", "out_of_range"),
        ("1956S0", "out_of_range"),
        ("1956-21^x", "invalid"),
        ("1956 / 1957", "invalid"),
        ("195x", "invalid"),
        ("١٩٥٦", "invalid"),
        ("1956²", "invalid"),
        ("1956-①1", "invalid"),
        ("1" * 101, "max_length"),
    ],
)
def test_bad_values_raise_a_validation_error_with_a_sentence(value, code):
    with pytest.raises(ValidationError) as error:
        dates.parse(value)
    assert error.value.code == code
    assert error.value.messages[0].endswith(".")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("١٩٥٦", "digits 0–9; “١”"),
        ("1956²", "digits 0–9; “²”"),
        ("1955-02-29", "There was no 29 February 1955."),
        ("[1667, 1668]", "without spaces"),
        ("195x", "capital X"),
        ("XXXX", "whole year unspecified"),
        ("9999/10000", "not a date"),
    ],
)
def test_refusals_say_why(value, says):
    with pytest.raises(ValidationError) as error:
        dates.parse(value)
    assert says in error.value.messages[0]


@pytest.fixture
def grammar_calls(monkeypatch):
    """Count the calls of edtf's grammar, with the cache of answers emptied."""
    calls = []

    def counting(value, *args, **kwargs):
        calls.append(value)
        return parse_edtf(value, *args, **kwargs)

    monkeypatch.setattr(dates, "parse_edtf", counting)
    dates._read.cache_clear()
    yield calls
    dates._read.cache_clear()


def test_plain_values_skip_the_grammar(grammar_calls):
    for value in ("1956", "1956-11", "1956-11-04", "1934~", "1945?", "1953/1955-06-30"):
        dates.parse(value)
    assert grammar_calls == []


def test_refusals_are_cached_like_answers(grammar_calls):
    for _ in range(3):
        with pytest.raises(ValidationError):
            dates.parse("1956-13-45")
    assert grammar_calls == ["1956-13-45"]


@pytest.mark.parametrize(
    "value",
    ["x" * 10_000, "١٩٥٦-١١-٠٤", "1956 11 04", "the fifties", "1956?1957??-", "." * 99, "X" * 99],
)
def test_what_cannot_be_edtf_is_refused_before_the_grammar(grammar_calls, value):
    with pytest.raises(ValidationError):
        dates.parse(value)
    assert grammar_calls == []


def test_edtf_bug_with_an_unspecified_month_is_worked_around_silently(grammar_calls):
    """edtf 5.0.2 prints and raises AttributeError on 1956-1X; the date still parses."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        parsed = dates.parse("1956-1X")
    assert parsed.reading == "October–December 1956"
    assert printed.getvalue() == ""


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("1956-11-04", "1956-11-04"),
        ("1919-02", "1919-02"),
        ("1939-21", "1939"),
        ("1934~", "1934"),
        ("1990-03/1991-06-19", "1990-03"),
        ("?1956-11-04", "1956-11-04"),
        ("1956-1X", "1956"),
        ("1956-11-XX", "1956-11"),
        ("[1667,1668]", "1667"),
        ("195X", ""),
        ("../1956", ""),
        ("١٩٥٦", ""),
        ("1956²", "1956"),
        ("0000", ""),
    ],
)
def test_machine_readable_value_fits_html_time_element(value, iso):
    assert dates.machine_readable(value) == iso


# Properties: every string is a date or a sentence, never a crash.

NON_ASCII_DIGITS = "²³¹①⑨١٩٥٦۱۹۵۶߁१९५६๑๙๕๖０９𝟏𝟗"
EDTF_ALPHABET = "0123456789X?~%/.,[]{}-YESTZ:+^ "


def check_total(value):
    """Assert that parse gives a sound date or a ValidationError, and nothing else."""
    try:
        parsed = dates.parse(value)
    except ValidationError as error:
        event(f"refused: {error.code}")
        assert error.messages and error.messages[0].strip()
        return None
    event("accepted")
    assert parsed.earliest <= parsed.latest
    assert parsed.reading.strip()
    assert dates.machine_readable(value).isascii()
    return parsed


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet=EDTF_ALPHABET + NON_ASCII_DIGITS, max_size=40),
        st.text(alphabet="0123456789-" + NON_ASCII_DIGITS, min_size=4, max_size=10),
    )
)
@example("1956-25")
@example("1956-1X")
@example("1956-①1")
@example("²")
def test_any_text_is_a_date_or_a_sentence(value):
    check_total(value)


def unspecify(text):
    """Replace some of the digits of text with X."""
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda mask: "".join("X" if hide else digit for digit, hide in zip(text, mask, strict=True))
    )


def sometimes(strategy, chance, otherwise):
    """Draw from strategy about once in chance draws, else from otherwise."""
    return st.integers(1, chance).flatmap(lambda roll: strategy if roll == 1 else otherwise)


@st.composite
def edtf_dates(draw):
    """Return an EDTF date of level 0, 1 or 2; some are malformed, as typing can be."""
    shape = draw(st.sampled_from(["year", "month", "day", "day", "season", "long", "significant"]))
    if shape == "long":
        base = draw(st.integers(-(10**7), 10**7))
        if draw(st.booleans()):
            return f"Y{base}"
        return f"Y{base}E{draw(st.integers(0, 12))}" + draw(st.sampled_from(["", "S1", "S3"]))
    year = f"{draw(sometimes(st.integers(0, 9999), 4, st.integers(1900, 1999))):04}"
    year = draw(sometimes(st.just("-" + year), 20, st.just(year)))
    if shape == "significant":
        return f"{year}S{draw(st.integers(0, 6))}" + draw(st.sampled_from(["", "~"]))
    parts = [year]
    if shape == "season":
        parts.append(str(draw(sometimes(st.sampled_from([20, 42]), 10, st.integers(21, 41)))))
    if shape in ("month", "day"):
        parts.append(f"{draw(sometimes(st.sampled_from([0, 13]), 10, st.integers(1, 12))):02}")
    if shape == "day":
        parts.append(f"{draw(sometimes(st.sampled_from([0, 32]), 10, st.integers(1, 31))):02}")
    if shape != "season" and draw(st.integers(0, 3)) == 0:
        parts = [draw(sometimes(unspecify(part), 2, st.just(part))) for part in parts]
    style = draw(st.sampled_from(["plain", "plain", "plain", "whole", "parts"]))
    if style == "parts":
        parts = [draw(st.sampled_from(["", "?", "~", "%"])) + part for part in parts]
    text = "-".join(parts)
    if style == "whole":
        text += draw(st.sampled_from("?~%"))
    if shape == "day" and draw(st.integers(0, 9)) == 0:
        text += "T03:00:00" + draw(st.sampled_from(["", "Z", "+01:00"]))
    return text


interval_ends = st.one_of(edtf_dates(), st.sampled_from(["..", ""]))
set_members = st.one_of(
    edtf_dates(),
    st.builds("{}..{}".format, edtf_dates(), edtf_dates()),
    st.builds("..{}".format, edtf_dates()),
    st.builds("{}..".format, edtf_dates()),
)
edtf_values = st.one_of(
    edtf_dates(),
    st.builds("{}/{}".format, interval_ends, interval_ends),
    st.builds(
        lambda brackets, members: brackets[0] + ",".join(members) + brackets[1],
        st.sampled_from(["[]", "{}"]),
        st.lists(set_members, min_size=1, max_size=4),
    ),
)


@settings(max_examples=400, deadline=None)
@given(edtf_values)
@example("2001-34/2001-35")
@example("1956-XX/1957")
@example("1956-12-XX/1957-1X")
def test_any_edtf_shape_is_a_date_or_a_sentence(value):
    check_total(value)


@settings(max_examples=200, deadline=None)
@given(edtf_values)
def test_the_shape_check_lets_through_everything_edtf_reads(value):
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            parse_edtf(value)
        except Exception:
            return
    assert dates.EDTF_SHAPE.fullmatch(value), value


plain_dates = st.builds(
    lambda year, month, day, parts: f"{year:04}-{month:02}-{day:02}"[: 4 + 3 * parts],
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 2),
)
plain_values = st.one_of(
    plain_dates,
    st.builds("{}{}".format, plain_dates, st.sampled_from("?~%")),
    st.builds("{}/{}".format, plain_dates, plain_dates),
)


def outcome(value, fast):
    try:
        return dates._interpret(value, fast=fast)
    except ValidationError as error:
        return error.code


@settings(max_examples=200, deadline=None)
@given(plain_values)
@example("1955-02-29")
@example("1956-04-31")
@example("0000")
def test_the_fast_path_answers_as_the_grammar_does(value):
    assert outcome(value, fast=True) == outcome(value, fast=False)


@given(st.dates(min_value=datetime.date(1, 1, 1)))
def test_the_fast_path_reads_every_calendar_day(day):
    value = day.isoformat()
    assert dates._plain_tree(value) is not None
    parsed = dates.parse(value)
    assert parsed.earliest == parsed.latest == day
