import datetime

import pytest
from django.core.exceptions import ValidationError

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


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1956-13-45", "invalid"),
        ("the fifties", "invalid"),
        ("", "required"),
        ("1955/1953", "reversed"),
        ("/1950", "open_interval"),
        ("1956-11-04T03:00:00", "time"),
    ],
)
def test_bad_values_raise_a_validation_error_with_a_sentence(value, code):
    with pytest.raises(ValidationError) as error:
        dates.parse(value)
    assert error.value.code == code
    assert error.value.messages[0].endswith(".")


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("1956-11-04", "1956-11-04"),
        ("1919-02", "1919-02"),
        ("1939-21", "1939"),
        ("1934~", "1934"),
        ("1990-03/1991-06-19", "1990-03"),
    ],
)
def test_machine_readable_value_fits_html_time_element(value, iso):
    assert dates.machine_readable(value) == iso
