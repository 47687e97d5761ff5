"""Arbitrary values never cause a 5xx: not in a list page's query, not in an admin date."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.test_admin import DATE_FIELDS
from tests.test_dates import FEATURES, NON_ASCII_DIGITS, edtf_values
from tests.test_queries import build_site
from timeline import dates

TIMELINE_PARAMETERS = [
    "q",
    "period",
    "person",
    "place",
    "kind",
    "source",
    "start",
    "end",
    "sort",
    "page",
]

LIST_PAGES = {
    "timeline:event-list": TIMELINE_PARAMETERS,
    "timeline:search": ["q"],
    "timeline:period-list": ["page"],
    "timeline:person-list": ["page"],
    "timeline:place-list": ["page"],
    "timeline:source-list": ["page"],
    "timeline:home": ["q"],
}

# The timeline's downloads, feed and API read its query string with its FilterSet,
# so each gets the mixed draws; the parameters they read their own way (the API's
# pages, the citations' filters) are also drawn one at a time.
OPEN_DATA = {
    "timeline:export-csv": TIMELINE_PARAMETERS,
    "timeline:export-json": TIMELINE_PARAMETERS,
    "timeline:event-feed": TIMELINE_PARAMETERS,
    "api:event-list": [*TIMELINE_PARAMETERS, "page_size"],
    "api:citation-list": ["source", "event", "person", "place", "period", "page", "page_size"],
}
OPEN_DATA_OWN_PARAMETERS = {
    "api:event-list": ["page", "page_size"],
    "api:citation-list": OPEN_DATA["api:citation-list"],
}

# Numbers in the digits of other scripts: isdigit() takes them, int() may not.
foreign_numbers = st.text(alphabet=NON_ASCII_DIGITS + "0123456789-", min_size=1, max_size=12)

# Text that a browser can put in a URL, with the usual troublemakers weighted in.
values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1956-13-45",
            "99999999999999999999",
            "9" * 5000,
            "1e400",
            "NaN",
            "%",
            "_",
            "\\",
            "'; DROP TABLE timeline_event; --",
            "era",
            "military",
            "1945/1949",
            "1934~",
            "/1950",
            "../..",
            "karolyi",
            "x" * 10_000,
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    foreign_numbers,
    edtf_values,
    st.sampled_from([feature[0] for feature in FEATURES]),
)

# The three kinds of value that once gave a 500: a sub-year grouping (KeyError), an
# unspecified digit (AttributeError inside edtf), a digit that int() refuses.
ONCE_FATAL = ["1956-25", "1956-41", "1956-1X", "195X-1X", "²", "①", "١٩٥٦", "1956²"]


def read_to_the_end(response):
    """Read a streamed answer whole: an error while streaming would hide in an unread one."""
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.fixture(scope="module")
def populated(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_site(30)
    yield
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("flush", verbosity=0, interactive=False)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", {**LIST_PAGES, **OPEN_DATA})
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_list_pages_never_answer_with_a_server_error(client, populated, url_name, data):
    names = {**LIST_PAGES, **OPEN_DATA}[url_name]
    chosen = data.draw(st.lists(st.sampled_from(names), max_size=len(names) + 2))
    params = [(name, data.draw(values)) for name in chosen]
    response = client.get(reverse(url_name), params)
    read_to_the_end(response)
    assert response.status_code < 500, params
    assert response.status_code in {200, 400, 404}, params


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "name"),
    [
        (url, name)
        for url, names in {**LIST_PAGES, **OPEN_DATA_OWN_PARAMETERS}.items()
        for name in names
    ],
)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=values)
@example(value=ONCE_FATAL[0])
@example(value=ONCE_FATAL[1])
@example(value=ONCE_FATAL[2])
@example(value=ONCE_FATAL[3])
@example(value=ONCE_FATAL[4])
@example(value=ONCE_FATAL[5])
@example(value=ONCE_FATAL[6])
@example(value=ONCE_FATAL[7])
def test_each_list_page_parameter_never_answers_with_a_server_error(
    client, populated, url_name, name, value
):
    response = client.get(reverse(url_name), {name: value})
    read_to_the_end(response)
    assert response.status_code in {200, 400, 404}


def is_refused(value, required):
    """Return whether the admin should refuse value in an EDTF field."""
    text = value.strip()  # as Django's CharField strips it
    if not text:
        return required
    if "\x00" in text or len(text) > 100:
        return True
    try:
        dates.parse(text)
    except ValidationError:
        return True
    return False


# A form post carries any text but lone surrogates, which cannot be encoded.
form_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=120)


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "form", "field"), DATE_FIELDS)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=st.one_of(form_text, foreign_numbers, edtf_values))
@example(value=ONCE_FATAL[0])
@example(value=ONCE_FATAL[2])
@example(value=ONCE_FATAL[4])
@example(value="1956-11-04")
@example(value="")
def test_admin_date_fields_never_answer_with_a_server_error(
    admin_client, model, form, field, value
):
    with transaction.atomic():
        response = admin_client.post(reverse(f"admin:timeline_{model}_add"), form(**{field: value}))
        transaction.set_rollback(True)  # each example starts from the same empty tables
    assert response.status_code < 500
    if is_refused(value, required=field == "date"):
        assert response.status_code == 200
        assert len(response.context["adminform"].form.errors[field]) == 1
    else:
        assert response.status_code == 302, response.context["adminform"].form.errors
