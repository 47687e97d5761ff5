"""The editors' newsroom: every save a revision, history and differences, revert,
recovery, revisions of fixture loads, and no save that overwrites a newer edit."""

import io

import pytest
import reversion
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from reversion.models import Revision, Version

from tests.factories import (
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    PlaceFactory,
    SourceFactory,
)
from timeline import backup, history
from timeline.models import Citation, Event, Participation

pytestmark = pytest.mark.django_db


def form_data(response):
    """Return what a browser would send back from an admin change form as rendered."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.initial_forms:
            add(form)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
    return data


def change_url(obj):
    return reverse(f"admin:timeline_{obj._meta.model_name}_change", args=[obj.pk])


def open_form(client, obj):
    response = client.get(change_url(obj))
    assert response.status_code == 200
    return form_data(response)


def citation_prefix(data, citation):
    """Return the form prefix of a citation in an event form's data."""
    for name, value in data.items():
        if name.startswith("citations-") and name.endswith("-id") and value == str(citation.pk):
            return name.removesuffix("-id")
    raise AssertionError(f"{citation} is not in the form")


def add_citation(data, source, key, quotation=""):
    number = int(data["citations-TOTAL_FORMS"])
    data.update(
        {
            f"citations-{number}-source": str(source.pk),
            f"citations-{number}-locator_label": "section",
            f"citations-{number}-locator": "Lead",
            f"citations-{number}-quotation": quotation,
            f"citations-{number}-note": "",
            f"citations-{number}-key": key,
            f"citations-{number}-order": str(number),
            "citations-TOTAL_FORMS": str(number + 1),
        }
    )


@pytest.fixture
def event(db):
    """An event with two citations and a participant, as if loaded, with no history yet."""
    event = EventFactory(
        title="Soviet troops enter Budapest",
        summary="Soviet troops entered Budapest at dawn.",
    )
    CitationFactory(event=event, key="entry-1", quotation="The troops entered the city.")
    CitationFactory(event=event, key="entry-2", quotation="Tanks were seen on the bridges.")
    ParticipationFactory(event=event, role="commander")
    return event


@pytest.fixture
def editor(db, django_user_model):
    """A second editor, signed in on a browser of her own."""
    user = django_user_model.objects.create_superuser("alice", "alice@example.org", "pw")
    client = Client()
    client.force_login(user)
    return client


def save(client, obj, data, **changes):
    data = {**data, **changes}
    return client.post(change_url(obj), data)


def revisions_of(obj):
    return Revision.objects.filter(version__in=Version.objects.get_for_object(obj)).order_by(
        "date_created", "pk"
    )


def test_a_save_is_one_revision_with_its_inlines_user_and_comment(admin_client, event):
    data = open_form(admin_client, event)
    prefix = citation_prefix(data, Citation.objects.get(key="entry-1"))
    data[f"{prefix}-quotation"] = "The troops entered the capital."
    response = save(
        admin_client,
        event,
        data,
        title="Soviet tanks enter Budapest",
        revision_comment="Tanks, as the source says.",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    [revision] = Revision.objects.all()
    assert revision.user.get_username() == "editor"
    assert revision.comment == "Tanks, as the source says."
    saved = {(v.content_type.model, v.object_id) for v in revision.version_set.all()}
    participation = Participation.objects.get()
    assert saved == {
        ("event", str(event.pk)),
        *(("citation", str(c.pk)) for c in Citation.objects.all()),
        ("participation", str(participation.pk)),
    }
    stored = {(v.content_type.model, v.object_id): v.field_dict for v in revision.version_set.all()}
    assert stored["event", str(event.pk)]["title"] == "Soviet tanks enter Budapest"
    citation = Citation.objects.get(key="entry-1")
    assert stored["citation", str(citation.pk)]["quotation"] == "The troops entered the capital."


def test_a_save_without_a_comment_keeps_the_admins_summary(admin_client, event):
    data = open_form(admin_client, event)
    assert save(admin_client, event, data, title="Tanks in Budapest").status_code == 302
    assert Revision.objects.get().get_comment() == "Changed Title."


def test_history_lists_who_saved_when_and_why(admin_client, editor, event):
    save(admin_client, event, open_form(admin_client, event), revision_comment="First pass.")
    save(editor, event, open_form(editor, event), title="Tanks", revision_comment="Shorter.")
    response = admin_client.get(reverse("admin:timeline_event_history", args=[event.pk]))
    rows = response.context["revisions"]
    assert [row["revision"].get_comment() for row in rows] == ["Shorter.", "First pass."]
    assert [row["revision"].user.get_username() for row in rows] == ["alice", "editor"]
    html = response.content.decode()
    assert "Compare the chosen revisions" in html
    assert "Shorter." in html and "alice" in html


def test_the_difference_highlights_the_changed_word_and_the_citations(admin_client, event):
    save(admin_client, event, open_form(admin_client, event))
    data = open_form(admin_client, event)
    prefix = citation_prefix(data, Citation.objects.get(key="entry-2"))
    data[f"{prefix}-DELETE"] = "on"
    add_citation(data, SourceFactory(title="Serov’s report"), "entry-3", "Serov wrote it.")
    save(admin_client, event, data, title="Soviet tanks enter Budapest")
    response = admin_client.get(reverse("admin:timeline_event_history", args=[event.pk]))
    compare = response.context["revisions"][0]["compare_url"]
    html = admin_client.get(compare).content.decode()
    assert "Soviet <del>troops</del><ins>tanks</ins> enter Budapest" in html
    assert "Summary" not in html  # unchanged fields are not listed
    assert "Citation “Serov’s report (section Lead)”: <strong>added</strong>" in html
    assert "<ins>Serov wrote it.</ins>" in html
    assert "<strong>removed</strong>" in html
    assert "<del>Tanks were seen on the bridges.</del>" in html


def test_the_difference_lists_links_removed_and_added(admin_client, event):
    budapest, tokol = PlaceFactory(name="Budapest"), PlaceFactory(name="Tököl")
    event.places.add(budapest)
    save(admin_client, event, open_form(admin_client, event))
    save(admin_client, event, open_form(admin_client, event), places=[str(tokol.pk)])
    response = admin_client.get(reverse("admin:timeline_event_history", args=[event.pk]))
    html = admin_client.get(response.context["revisions"][0]["compare_url"]).content.decode()
    assert "<del>Budapest</del>, <ins>Tököl</ins>" in html


def test_history_and_differences_need_permission_to_view(client, django_user_model, event):
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(clerk)
    versions = reverse("admin:timeline_event_history", args=[event.pk])
    assert client.get(versions).status_code == 403
    compare = reverse("admin:timeline_event_compare", args=[event.pk])
    assert client.get(compare, {"from": 1, "to": 1}).status_code == 403


@pytest.mark.parametrize(
    ("old", "new", "html"),
    [
        ("one two three four", "one 2 3 four", "one <del>two three</del><ins>2 3</ins> four"),
        ("in 1956.", "in November 1956.", "in<ins> November</ins> 1956."),
        ("Nagy was executed", "Nagy was hanged", "Nagy was <del>executed</del><ins>hanged</ins>"),
        ("<b>bold</b>", "bold", "<del>&lt;b&gt;</del>bold<del>&lt;/b&gt;</del>"),
        ("same", "same", "same"),
        ("", "new", "<ins>new</ins>"),
    ],
)
def test_word_diff_marks_whole_words_and_escapes(old, new, html):
    assert history.word_diff(old, new) == html


def test_word_diff_shortens_long_unchanged_stretches():
    words = " ".join(f"word{number}" for number in range(200))
    html = history.word_diff(f"{words} old end", f"{words} new end")
    assert "word0 " not in html and "word199 <del>old</del><ins>new</ins> end" in html
    assert '<span class="diff-gap"> … </span>' in html


def test_revert_restores_fields_and_inlines_as_a_new_revision(admin_client, event):
    save(admin_client, event, open_form(admin_client, event))
    first = Version.objects.get_for_object(event).get()
    data = open_form(admin_client, event)
    removed = Citation.objects.get(key="entry-1")
    data[f"{citation_prefix(data, removed)}-DELETE"] = "on"
    add_citation(data, SourceFactory(), "added-later")
    assert save(admin_client, event, data, title="Changed").status_code == 302
    assert not Citation.objects.filter(key="entry-1").exists()

    url = reverse("admin:timeline_event_revision", args=[event.pk, first.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    # Viewing a revision changes nothing.
    assert Event.objects.get(pk=event.pk).title == "Changed"
    response = admin_client.post(url, form_data(response))
    assert response.status_code == 302, response.context["adminform"].form.errors

    event.refresh_from_db()
    assert event.title == "Soviet troops enter Budapest"
    assert set(event.citations.values_list("key", flat=True)) == {"entry-1", "entry-2"}
    assert Citation.objects.get(key="entry-1").pk == removed.pk
    latest = revisions_of(event).last()
    assert revisions_of(event).count() == 3
    assert latest.comment.startswith("Reverted to the revision of ")
    assert latest.comment.endswith(" by editor")


def test_recover_brings_back_a_deleted_event_with_its_citations(admin_client, event):
    save(admin_client, event, open_form(admin_client, event))
    pk, keys = event.pk, set(event.citations.values_list("key", flat=True))
    response = admin_client.post(reverse("admin:timeline_event_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Event.objects.filter(pk=pk).exists() and not Citation.objects.exists()

    listing = admin_client.get(reverse("admin:timeline_event_recoverlist"))
    [deleted] = listing.context["deleted"]
    assert deleted.object_repr == "Soviet troops enter Budapest"
    url = reverse("admin:timeline_event_recover", args=[deleted.pk])
    response = admin_client.post(url, form_data(admin_client.get(url)))
    assert response.status_code == 302, response.context["adminform"].form.errors

    event = Event.objects.get(pk=pk)
    assert set(event.citations.values_list("key", flat=True)) == keys
    assert event.participations.count() == 1
    assert revisions_of(event).last().comment.startswith("Recovered from the revision of ")


def revisions_per_object(models):
    """Return how many revisions hold each object of these models, keyed (model, id)."""
    counts = {}
    for model in models:
        for version in Version.objects.get_for_model(model):
            key = (model, version.object_id)
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_loadcontent_records_one_revision_per_item_and_none_for_an_unchanged_reload(
    content, tmp_path
):
    items = sum(model.objects.count() for model in history.ITEMS)
    assert Revision.objects.count() == items
    assert set(Revision.objects.values_list("comment", flat=True)) == {history.IMPORTED}
    # Each item's revision holds the item and its inlines, and nothing else.
    event = Event.objects.filter(citations__isnull=False).first()
    [revision] = revisions_of(event)
    assert revision.version_set.count() == 1 + event.citations.count() + (
        event.participations.count()
    )
    per_item = revisions_per_object(history.ITEMS)
    assert len(per_item) == items and set(per_item.values()) == {1}
    # A citation is in its item's revision; a participation in its event's and its person's.
    per_part = revisions_per_object([Citation, Participation])
    assert len(per_part) == Citation.objects.count() + Participation.objects.count()
    assert all(count == (1 if model is Citation else 2) for (model, _), count in per_part.items())

    before = Version.objects.count()
    call_command(
        "loadcontent", force=True, yes=True, backup_dir=str(tmp_path), stdout=io.StringIO()
    )
    assert Revision.objects.count() == items
    assert Version.objects.count() == before


def test_a_forced_reload_records_a_revision_only_for_what_it_changes(content, tmp_path):
    event = Event.objects.filter(citations__isnull=False).first()
    citation = Citation.objects.exclude(event=event).filter(event__isnull=False).first()
    with reversion.create_revision():  # as the admin saves
        event.title = "Edited by an editor"
        event.save()
    with reversion.create_revision():  # as the citation's own admin page saves
        citation.note = "An editor's note."
        citation.save()
    # An edit that left no revision, undone by the load, leaves nothing to record.
    Event.objects.exclude(pk__in=[event.pk, citation.event_id]).filter(
        slug__startswith="nagy"
    ).update(summary="Untracked")
    items = Revision.objects.count()
    call_command(
        "loadcontent", force=True, yes=True, backup_dir=str(tmp_path), stdout=io.StringIO()
    )
    reloaded = Revision.objects.filter(comment=history.RELOADED)
    assert Revision.objects.count() == items + 2 == items + reloaded.count()
    assert {
        revision.version_set.get(content_type__model="event").object_id for revision in reloaded
    } == {
        str(event.pk),
        str(citation.event_id),
    }
    # Loading the same fixtures again records nothing more.
    call_command(
        "loadcontent", force=True, yes=True, backup_dir=str(tmp_path), stdout=io.StringIO()
    )
    assert Revision.objects.count() == items + 2


def test_the_load_and_its_revisions_are_one_transaction(db, tmp_path):
    bad = tmp_path / "fixtures"
    bad.mkdir()
    (bad / "01.json").write_text(
        '[{"model": "timeline.eventkind", "fields": {"slug": "a", "name": "A"}},'
        ' {"model": "timeline.eventkind", "fields": {"slug": "b", "name": ""}}]'
    )
    with pytest.raises(Exception, match="name"):
        call_command("loadcontent", fixtures=str(bad), verbosity=0)
    assert not backup.has_content()
    assert not Revision.objects.exists()


# No lost edits.


def test_a_save_over_a_newer_edit_is_refused_and_keeps_the_editors_input(
    admin_client, editor, event
):
    mine, theirs = open_form(admin_client, event), open_form(editor, event)
    assert save(editor, event, theirs, title="Soviet tanks enter Budapest").status_code == 302

    response = save(admin_client, event, mine, summary="My own new summary.")
    assert response.status_code == 200
    form = response.context["adminform"].form
    [error] = form.non_field_errors()
    assert "alice saved this event on " in error
    assert "your changes were not saved" in error
    assert "Title (now “Soviet tanks enter Budapest”)" in error
    assert "Summary" not in error
    assert form["summary"].value() == "My own new summary."
    assert "My own new summary." in response.content.decode()

    event.refresh_from_db()
    assert event.title == "Soviet tanks enter Budapest"
    assert event.summary == "Soviet troops entered Budapest at dawn."
    assert revisions_of(event).count() == 1

    # Having read what changed, the editor can save on purpose.
    again = form_data(response)
    assert save(admin_client, event, again).status_code == 302
    event.refresh_from_db()
    assert event.summary == "My own new summary."


def test_a_save_over_a_newer_edit_of_a_citation_is_refused(admin_client, editor, event):
    citation = Citation.objects.get(key="entry-1")
    mine, theirs = open_form(admin_client, event), open_form(editor, event)
    theirs[f"{citation_prefix(theirs, citation)}-quotation"] = "Their reading."
    assert save(editor, event, theirs).status_code == 302

    mine[f"{citation_prefix(mine, citation)}-quotation"] = "My reading."
    response = save(admin_client, event, mine)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert "alice saved this event" in error
    assert f"Citation “{citation}” changed" in error
    assert Citation.objects.get(pk=citation.pk).quotation == "Their reading."
    formset = response.context["inline_admin_formsets"][1].formset
    assert "My reading." in [form["quotation"].value() for form in formset.forms]


def test_an_edit_elsewhere_of_a_citation_conflicts_with_the_events_form(
    admin_client, editor, event
):
    citation = Citation.objects.get(key="entry-2")
    mine = open_form(admin_client, event)
    theirs = open_form(editor, citation)
    assert save(editor, citation, theirs, note="A note.").status_code == 302
    response = save(admin_client, event, mine, title="Mine")
    [error] = response.context["adminform"].form.non_field_errors()
    assert "alice saved this event" in error
    assert "changed" in error
    assert Event.objects.get(pk=event.pk).title == "Soviet troops enter Budapest"


def test_a_save_without_a_newer_edit_goes_through(admin_client, editor, event):
    mine = open_form(admin_client, event)
    # Another editor opening the form, or viewing the history, changes nothing.
    open_form(editor, event)
    editor.get(reverse("admin:timeline_event_history", args=[event.pk]))
    assert save(admin_client, event, mine, title="Mine").status_code == 302


def test_a_revert_over_a_newer_edit_is_refused(admin_client, editor, event):
    save(admin_client, event, open_form(admin_client, event))
    first = Version.objects.get_for_object(event).get()
    save(admin_client, event, open_form(admin_client, event), title="Second")
    url = reverse("admin:timeline_event_revision", args=[event.pk, first.pk])
    reverting = form_data(admin_client.get(url))
    save(editor, event, open_form(editor, event), title="Third, by Alice")

    response = admin_client.post(url, reverting)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert "alice saved this event" in error
    assert "Title (now “Third, by Alice”)" in error
    assert Event.objects.get(pk=event.pk).title == "Third, by Alice"
