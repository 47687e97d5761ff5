import re

import pytest
from django.urls import reverse

from tests.factories import (
    CitationFactory,
    EventFactory,
    EventKindFactory,
    ParticipationFactory,
    PeriodFactory,
    PersonFactory,
    PlaceFactory,
    SourceFactory,
    TopicFactory,
)
from timeline.models import Citation, Event, Period

pytestmark = pytest.mark.django_db

FACTORIES = {
    "topic": TopicFactory,
    "period": PeriodFactory,
    "event": EventFactory,
    "eventkind": EventKindFactory,
    "person": PersonFactory,
    "place": PlaceFactory,
    "source": SourceFactory,
    "citation": CitationFactory,
    "participation": ParticipationFactory,
}


@pytest.mark.parametrize("model", FACTORIES)
def test_admin_pages_open_for_a_superuser(admin_client, model):
    obj = FACTORIES[model]()
    for view in ("add", "changelist"):
        response = admin_client.get(reverse(f"admin:timeline_{model}_{view}"))
        assert response.status_code == 200, view
    response = admin_client.get(reverse(f"admin:timeline_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    assert str(obj) in response.content.decode()


def inline_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def event_form(**fields):
    data = {
        "title": "Operation Whirlwind",
        "slug": "operation-whirlwind",
        "date": "1956-11-04",
        "time": "",
        "period": "",
        "summary": "The second Soviet intervention.",
        "body": "",
        "status": "draft",
        **inline_management("participations"),
        **inline_management("citations"),
        **inline_management("illustrations"),
    }
    data.update(fields)
    return data


def period_form(**fields):
    data = {
        "title": "Revolution",
        "slug": "revolution",
        "date": "1956",
        "parent": "",
        "order": "0",
        "summary": "x",
        "body": "",
        "status": "published",
        **inline_management("citations"),
        **inline_management("illustrations"),
    }
    data.update(fields)
    return data


def person_form(**fields):
    data = {
        "name": "Imre Nagy",
        "native_name": "Nagy Imre",
        "sort_name": "Nagy, Imre",
        "slug": "imre-nagy",
        "titles": "",
        "biography": "",
        "born": "1896-06-07",
        "died": "1958-06-16",
        "status": "draft",
        **inline_management("participations"),
        **inline_management("citations"),
        **inline_management("illustrations"),
    }
    data.update(fields)
    return data


def source_form(**fields):
    data = {
        "csl_type": "book",
        "title": "The Hungarian Revolution",
        "slug": "the-hungarian-revolution",
        "authors": "",
        "container_title": "",
        "publisher": "",
        "issued": "1957",
        "url": "",
        "accessed": "",
        "licence": "",
        "licence_url": "",
        "attribution": "",
        "known_through": "",
        "known_through_locator": "",
        "note": "",
        "status": "draft",
    }
    data.update(fields)
    return data


# Every EDTF field in the admin: the model, its add form's data, and the field.
DATE_FIELDS = [
    ("event", event_form, "date"),
    ("period", period_form, "date"),
    ("person", person_form, "born"),
    ("person", person_form, "died"),
    ("source", source_form, "issued"),
]


def test_admin_adds_an_event_with_a_citation(admin_client):
    source = SourceFactory()
    data = event_form(
        **inline_management("citations", total=1),
        **inline_management("illustrations"),
        **{
            "citations-0-source": str(source.pk),
            "citations-0-locator_label": "section",
            "citations-0-locator": "The Hungarian Revolution of 1956",
            "citations-0-quotation": "The Soviet intervention ...",
            "citations-0-key": "",
            "citations-0-order": "0",
        },
    )
    response = admin_client.post(reverse("admin:timeline_event_add"), data)
    assert response.status_code == 302, response.context["adminform"].errors
    event = Event.objects.get(slug="operation-whirlwind")
    citation = Citation.objects.get()
    assert citation.event == event
    assert citation.key == "operation-whirlwind-1"


def test_admin_shows_a_form_error_for_an_unparseable_date(admin_client):
    response = admin_client.post(reverse("admin:timeline_event_add"), event_form(date="1956-13-45"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is not a date this site understands" in errors["date"][0]
    assert not Event.objects.exists()


def test_admin_shows_a_form_error_for_a_span_that_ends_before_it_starts(admin_client):
    data = {
        "title": "Backwards",
        "slug": "backwards",
        "date": "1945/1919",
        "parent": "",
        "order": "0",
        "summary": "x",
        "body": "",
        "status": "published",
        **inline_management("citations"),
        **inline_management("illustrations"),
    }
    response = admin_client.post(reverse("admin:timeline_period_add"), data)
    assert response.status_code == 200
    assert "ends before it starts" in response.context["adminform"].form.errors["date"][0]
    assert not Period.objects.exists()


def test_admin_shows_a_form_error_for_a_citation_with_no_source(admin_client):
    data = event_form(
        **inline_management("citations", total=1),
        **inline_management("illustrations"),
        **{
            "citations-0-source": "",
            "citations-0-locator_label": "section",
            "citations-0-locator": "Lead",
            "citations-0-quotation": "Some words.",
            "citations-0-order": "0",
        },
    )
    response = admin_client.post(reverse("admin:timeline_event_add"), data)
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][1].formset.errors
    assert inline_errors[0]["source"] == ["This field is required."]
    assert not Event.objects.exists()


def test_standalone_citation_must_support_exactly_one_thing(admin_client):
    source = SourceFactory()
    data = {
        "source": str(source.pk),
        "locator_label": "page",
        "locator": "12",
        "quotation": "",
        "note": "",
        "key": "floating",
        "order": "0",
    }
    response = admin_client.post(reverse("admin:timeline_citation_add"), data)
    assert response.status_code == 200
    assert "exactly one thing" in str(response.context["adminform"].form.non_field_errors())
    assert not Citation.objects.exists()


def test_date_field_shows_its_reading_and_edtf_help(admin_client):
    event = EventFactory(date="1939-21")
    response = admin_client.get(reverse("admin:timeline_event_change", args=[event.pk]))
    html = response.content.decode()
    assert "reads as “spring 1939”; earliest day 1939-03-01, latest 1939-05-31" in html
    assert "Extended Date/Time Format" in html


@pytest.mark.parametrize(("model", "form", "field"), DATE_FIELDS)
def test_every_edtf_field_has_the_reading_input_and_its_script(admin_client, model, form, field):
    response = admin_client.get(reverse(f"admin:timeline_{model}_add"))
    html = response.content.decode()
    reading_url = 'data-reading-url="/admin/edtf-reading/"'
    assert re.search(rf'<input[^>]*name="{field}"[^>]*{reading_url}', html)
    assert f'id="id_{field}_reading" aria-live="polite"' in html
    assert '<script src="/static/admin/js/edtf-reading.js">' in html


@pytest.mark.parametrize(("model", "form", "field"), DATE_FIELDS)
def test_a_refused_date_is_explained_once_beside_its_field(admin_client, model, form, field):
    response = admin_client.post(reverse(f"admin:timeline_{model}_add"), form(**{field: "1956-13"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("is not a date this site understands") == 1
    assert re.search(rf'id="id_{field}_error"><li>“1956-13” is not a date this site', html)
    assert len(response.context["adminform"].form.errors[field]) == 1


def test_the_reading_shows_again_after_a_failed_save(admin_client):
    response = admin_client.post(
        reverse("admin:timeline_person_add"), person_form(name="", born="1896-02-2X")
    )
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert "reads as “20–29 February 1896”" in response.content.decode()


def test_edtf_reading_answers_with_the_reading_and_bounds(admin_client):
    response = admin_client.get(reverse("edtf-reading"), {"value": "1956-1X"})
    assert response.status_code == 200
    assert response.json() == {
        "reading": "October–December 1956",
        "earliest": "1956-10-01",
        "latest": "1956-12-31",
    }


def test_edtf_reading_says_why_a_date_is_refused(admin_client):
    response = admin_client.get(reverse("edtf-reading"), {"value": "1955-02-29"})
    assert response.status_code == 400
    assert response.json() == {"error": "There was no 29 February 1955."}


def test_edtf_reading_is_for_staff_members_only(client, django_user_model):
    url = reverse("edtf-reading")
    response = client.get(url, {"value": "1956"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    reader = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(reader)
    response = client.get(url, {"value": "1956"})
    assert response.status_code == 302
    assert "reading" not in response.content.decode()
    reader.is_staff = True
    reader.save()
    assert client.get(url, {"value": "1956"}).json()["reading"] == "1956"


def test_admin_search_ignores_accents(admin_client):
    PersonFactory(name="Mihály Károlyi", sort_name="Károlyi, Mihály")
    PersonFactory(name="Béla Kun", sort_name="Kun, Béla")
    response = admin_client.get(reverse("admin:timeline_person_changelist"), {"q": "karolyi"})
    names = [person.name for person in response.context["cl"].result_list]
    assert names == ["Mihály Károlyi"]


def test_publish_action_publishes_and_logs(admin_client):
    draft = EventFactory(status=Event.Status.DRAFT)
    CitationFactory(event=draft, locator="Lead")
    response = admin_client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Event.Status.PUBLISHED
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(object_id=str(draft.pk)).exists()


def test_autocomplete_finds_people_without_accents(admin_client):
    PersonFactory(name="Pál Maléter", sort_name="Maléter, Pál")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "maleter",
            "app_label": "timeline",
            "model_name": "participation",
            "field_name": "person",
        },
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Pál Maléter"]


@pytest.mark.parametrize(
    ("model_name", "field_name", "factory", "term", "text"),
    [
        ("citation", "source", SourceFactory, "serov", "Serov’s report"),
        ("event", "kinds", EventKindFactory, "milit", "military"),
        ("event", "places", PlaceFactory, "tokol", "Tököl"),
        ("event", "period", PeriodFactory, "horthy", "Horthy era"),
    ],
)
def test_autocomplete_fields_answer(admin_client, model_name, field_name, factory, term, text):
    name_field = {"Serov’s report": "title", "Horthy era": "title"}.get(text, "name")
    factory(**{name_field: text})
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "timeline", "model_name": model_name, "field_name": field_name},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == [text]


def test_admin_rejects_a_marker_that_names_no_citation(admin_client):
    source = SourceFactory()
    data = event_form(
        body="Tanks entered the city.[^whirlwind-tanks] Soon after, shots.[^no-such-note]",
        **inline_management("citations", total=1),
        **inline_management("illustrations"),
        **{
            "citations-0-source": str(source.pk),
            "citations-0-locator_label": "section",
            "citations-0-locator": "The Hungarian Revolution of 1956",
            "citations-0-key": "whirlwind-tanks",
            "citations-0-order": "0",
        },
    )
    response = admin_client.post(reverse("admin:timeline_event_add"), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][1].formset.non_form_errors()
    assert "[^no-such-note]" in errors[0]
    assert "[^whirlwind-tanks]" not in errors[0]
    assert not Event.objects.exists()


def test_admin_accepts_markers_that_name_the_citations_added_with_them(admin_client):
    source = SourceFactory()
    data = event_form(
        body="Tanks entered the city.[^whirlwind-tanks]",
        **inline_management("citations", total=1),
        **inline_management("illustrations"),
        **{
            "citations-0-source": str(source.pk),
            "citations-0-locator_label": "section",
            "citations-0-key": "whirlwind-tanks",
            "citations-0-order": "0",
        },
    )
    response = admin_client.post(reverse("admin:timeline_event_add"), data)
    assert response.status_code == 302
    assert Citation.objects.get().key == "whirlwind-tanks"


def test_publishing_an_event_needs_a_citation_with_a_locator(admin_client):
    draft = EventFactory(slug="unsourced", status=Event.Status.DRAFT)
    CitationFactory(event=draft, locator="")
    response = admin_client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT
    assert "was not published: An event is published only with at least one citation" in (
        response.content.decode()
    )


def autocomplete(client, model_name, field_name, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "timeline", "model_name": model_name, "field_name": field_name},
    )
    return [item["text"] for item in response.json()["results"]]


def test_autocomplete_ranks_whole_words_and_prefixes_first(admin_client, content):
    assert autocomplete(admin_client, "participation", "person", "Kadar")[0] == "János Kádár"
    assert autocomplete(admin_client, "event", "period", "After the Hung") == [
        "After the Hungarian Revolution"
    ]
    # A fragment inside a word is no match: "adar" is not the start of a word.
    assert autocomplete(admin_client, "participation", "person", "adar") == []


def test_the_admin_front_page_is_the_newsroom_dashboard(admin_client, superuser, content):
    waiting = Event.objects.get(slug="soviet-tanks-enter-budapest")
    waiting.status = "review"
    waiting.save()
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user=superuser,
        content_type=ContentType.objects.get_for_model(Event),
        object_id=str(waiting.pk),
        object_repr=str(waiting),
        action_flag=CHANGE,
        change_message="Submitted for review.",
    )
    html = admin_client.get(reverse("admin:index")).content.decode()
    review = html.split("<caption>Awaiting review</caption>")[1].split("</table>")[0]
    change_url = reverse("admin:timeline_event_change", args=[waiting.pk])
    assert f'<a href="{change_url}">{waiting}</a>' in review
    assert "0 problems, 0 warnings" in html
    latest = html.split("<caption>Latest changes, by everyone</caption>")[1].split("</table>")[0]
    assert "Submitted for review. — editor" in latest
