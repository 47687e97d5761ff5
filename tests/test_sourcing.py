"""The sourcing check: each rule finds its problem, and says nothing when there is none."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.factories import CitationFactory, EventFactory, PersonFactory, SourceFactory
from timeline import sourcing
from timeline.models import Citation, Event, Source

pytestmark = pytest.mark.django_db

TEXT = (
    "The army crossed the river at dawn.\n\n"
    "It was “the end”, he said — and it was. The general's men wept."
)
ARTICLE = "wikipedia-hungary-soviet-union-relations"


@pytest.fixture
def source():
    return SourceFactory(slug="chronicle", title="Chronicle", text=TEXT)


@pytest.fixture
def event(source):
    event = EventFactory(slug="crossing", title="The crossing", body="It crossed.[^crossing-1]")
    CitationFactory(
        key="crossing-1", source=source, event=event, quotation="crossed the river at dawn."
    )
    return event


def found(code=None):
    """Return (rule code, object) for every problem the check reports, or one rule's."""
    problems = sourcing.check().problems
    return [(p.rule.code, p.obj) for p in problems if code is None or p.rule.code == code]


def messages(code):
    return [problem.message for problem in sourcing.check().problems if problem.rule.code == code]


def test_a_cited_located_quoted_event_raises_nothing(event):
    assert found() == []


def test_a_published_item_without_a_citation_is_an_error(event):
    uncited = EventFactory(slug="uncited", status=Event.Status.PUBLISHED)
    person = PersonFactory(slug="nobody")

    assert sorted(found("uncited"), key=str) == sorted(
        [("uncited", uncited), ("uncited", person)], key=str
    )
    assert all(problem.level == sourcing.ERROR for problem in sourcing.check().problems)


def test_a_draft_without_a_citation_is_not_reported(event):
    EventFactory(slug="draft", status=Event.Status.DRAFT)

    assert found() == []


def test_a_citation_without_a_locator_is_an_error(event):
    citation = Citation.objects.get(key="crossing-1")
    citation.locator = ""
    citation.save()

    assert found() == [("no-locator", citation)]
    assert "does not say where in its source" in messages("no-locator")[0]


def test_a_document_known_through_another_is_located_where_the_other_names_it(event, source):
    document = SourceFactory(
        slug="order", title="The order", known_through=source, known_through_locator="page 3"
    )
    CitationFactory(key="crossing-2", source=document, event=event, locator="")
    assert found() == []

    Source.objects.filter(pk=document.pk).update(known_through_locator="")
    assert found() == [("no-locator", Citation.objects.get(key="crossing-2"))]


def test_quotations_match_across_typographic_quotes_dashes_and_spacing(event, source):
    CitationFactory(
        key="crossing-2",
        source=source,
        event=event,
        quotation='It was "the end",  he said -\nand it was.',
    )
    CitationFactory(
        key="crossing-3", source=source, event=event, quotation="The general’s men wept."
    )

    assert found() == []


def test_a_quotation_that_differs_in_a_word_is_an_error(event, source):
    citation = CitationFactory(
        key="crossing-2",
        source=source,
        event=event,
        quotation="The army crossed the Danube at dawn.",
    )

    assert found() == [("quotation", citation)]
    message = messages("quotation")[0]
    assert "“Chronicle”" in message
    assert "“…The army crossed the ”" in message and "“Danube at dawn.…”" in message


def test_a_document_known_through_another_is_quoted_from_the_others_text(event, source):
    document = SourceFactory(
        slug="speech", title="The speech", known_through=source, known_through_locator="para 2"
    )
    CitationFactory(key="crossing-2", source=document, event=event, quotation="“the end”")
    assert found() == []

    misquoted = CitationFactory(
        key="crossing-3", source=document, event=event, quotation="Zero hour"
    )
    assert found() == [("quotation", misquoted)]
    assert "quotes “Chronicle”, but its text contains none of it." in messages("quotation")[0]


def test_a_source_without_text_is_skipped_with_a_warning(event):
    silent = SourceFactory(slug="silent", title="Silent", text="")
    CitationFactory(key="crossing-2", source=silent, event=event, quotation="anything at all")

    report = sourcing.check()

    assert [(p.rule.code, p.obj, p.level) for p in report.problems] == [
        ("unchecked", silent, sourcing.WARNING)
    ]
    assert report.errors == []


def test_a_marker_naming_no_citation_of_its_item_is_an_error(event):
    other = EventFactory(slug="other", body="Elsewhere.[^other-1]")
    CitationFactory(key="other-1", event=other, source=event.citations.get().source)
    event.body = "It crossed.[^crossing-1] Then it did not.[^other-1][^missing]"
    event.save()

    assert found() == [("marker", event)]
    assert "[^missing], [^other-1]" in messages("marker")[0]
    assert messages("marker")[0].startswith("the body of event “The crossing”")


def test_a_marker_in_a_draft_is_checked_too(event):
    EventFactory(slug="draft", status=Event.Status.DRAFT, summary="Soon.[^nothing]")

    assert [code for code, _obj in found()] == ["marker"]


def test_a_source_cited_nowhere_is_a_warning(event):
    unused = SourceFactory(slug="unused", title="Unused")

    assert found() == [("uncited-source", unused)]
    assert sourcing.check().errors == []


def test_a_source_counts_as_cited_when_a_document_known_through_it_is(event, source):
    teller = SourceFactory(slug="teller", title="Teller", text="It named the order.")
    document = SourceFactory(
        slug="order", title="The order", known_through=teller, known_through_locator="p. 1"
    )
    CitationFactory(key="crossing-2", source=document, event=event)

    assert ("uncited-source", teller) not in found()


def test_a_document_known_through_a_source_never_cited_itself_is_a_warning(event, source):
    teller = SourceFactory(slug="teller", title="Teller", text="It named the order.")
    document = SourceFactory(
        slug="order", title="The order", known_through=teller, known_through_locator="p. 1"
    )
    CitationFactory(key="crossing-2", source=document, event=event)

    assert found() == [("uncited-teller", document)]
    assert "known through “Teller”" in messages("uncited-teller")[0]

    CitationFactory(key="crossing-3", source=teller, event=event)
    assert found() == []


def test_the_article_source_holds_the_seed_text(content):
    seed = Path(settings.BASE_DIR, "fixtures", "seed", "hungary-soviet-union-relations.txt")
    assert Source.objects.get(slug=ARTICLE).text == seed.read_text(encoding="utf-8")


def test_the_article_fixtures_pass_the_check(content, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        report = sourcing.check()

    assert report.errors == [], "\n".join(map(str, report.errors))
    assert report.warnings == [], "\n".join(map(str, report.warnings))
    quoted = Citation.objects.exclude(quotation="")
    assert quoted.count() > 200, "the quotations were there to check"


def test_the_check_costs_the_same_queries_however_many_problems(event, django_assert_num_queries):
    with django_assert_num_queries(18) as clean:
        sourcing.check()
    for number in range(5):
        EventFactory(slug=f"uncited-{number}", body="[^nothing]")
        SourceFactory(slug=f"unused-{number}")
    with django_assert_num_queries(len(clean.captured_queries)):
        report = sourcing.check()
    assert len(report.problems) == 15


def test_the_command_exits_0_when_clean(event):
    out = io.StringIO()

    call_command("checksources", stdout=out)

    assert out.getvalue().strip() == "0 errors, 0 warnings."


def test_the_command_prints_one_line_per_problem_and_exits_1_on_an_error(event):
    uncited = EventFactory(slug="uncited")
    SourceFactory(slug="unused", title="Unused")
    out = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("checksources", stdout=out, no_color=True)

    assert raised.value.returncode == 1
    assert str(raised.value) == "1 error, 1 warning."
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        f"ERROR /admin/timeline/event/{uncited.pk}/change/ "
        f"event “{uncited.title}” is public but cites no source."
    )
    assert lines[1].startswith("WARNING /admin/timeline/source/")
    assert len(lines) == 2


def test_the_command_exits_0_with_warnings_only(event):
    SourceFactory(slug="unused", title="Unused")
    out = io.StringIO()

    call_command("checksources", stdout=out, no_color=True)

    assert out.getvalue().splitlines()[-1] == "0 errors, 1 warning."


def test_the_admin_page_lists_a_planted_problem(admin_client, event):
    uncited = EventFactory(slug="uncited", title="An uncited event")

    response = admin_client.get(reverse("admin:timeline_source_check"))

    text = response.content.decode()
    assert response.status_code == 200
    assert "1 error, 0 warnings." in text
    change = reverse("admin:timeline_event_change", args=[uncited.pk])
    assert f'<a href="{change}">An uncited event</a>' in text


def test_the_admin_index_links_to_the_check(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert reverse("admin:timeline_source_check") in response.content.decode()


@pytest.mark.parametrize("staff", [None, False])
def test_the_admin_page_refuses_anyone_but_staff(client, django_user_model, staff):
    if staff is not None:
        client.force_login(django_user_model.objects.create_user("reader", password="x"))
    url = reverse("admin:timeline_source_check")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={url}"
