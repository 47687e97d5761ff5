"""Roles, the publication workflow, preview, and drafts that no reader ever sees."""

import io
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import (
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    PeriodFactory,
    PersonFactory,
    PlaceFactory,
    SourceFactory,
)
from timeline.models import Event, Period, Person, Place, Source

pytestmark = pytest.mark.django_db

MODELS = (Event, Person, Place, Period, Source)
ACTIONS = ("view", "add", "change", "submit", "publish", "withdraw", "delete", "revert")
EXPECTED = {
    "anonymous": set(),
    "staff without a role": set(),
    "contributor": {"view", "add", "submit"},
    "editor": set(ACTIONS),
    "superuser": set(ACTIONS),
}


def make_user(kind):
    if kind == "anonymous":
        return AnonymousUser()
    user = User.objects.create_user(kind.replace(" ", "-"), password="pw", is_staff=True)
    if kind == "superuser":
        user.is_superuser = True
        user.save()
    role = {"contributor": "Contributors", "editor": "Editors"}.get(kind)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk) if user.pk else user


def allowed(user, model, action, obj):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = user
    check = getattr(model_admin, f"has_{action}_permission")
    if action in ("add",):
        return check(request)
    return check(request, obj)


def published_item(model):
    factories = {
        Event: EventFactory,
        Person: PersonFactory,
        Place: PlaceFactory,
        Period: PeriodFactory,
        Source: SourceFactory,
    }
    return factories[model](status="published")


@pytest.mark.parametrize("kind", EXPECTED)
def test_each_role_may_do_exactly_its_part_on_published_items(kind):
    user = make_user(kind)
    for model in MODELS:
        obj = published_item(model)
        granted = {action for action in ACTIONS if allowed(user, model, action, obj)}
        assert granted == EXPECTED[kind], (kind, model.__name__)


def test_a_contributor_may_change_and_delete_drafts_but_not_published_items():
    contributor = make_user("contributor")
    for model in MODELS:
        draft, published = published_item(model), published_item(model)
        draft.status = "draft"
        draft.save()
        for action in ("change", "delete"):
            assert allowed(contributor, model, action, draft), (model.__name__, action)
            assert not allowed(contributor, model, action, published), (model.__name__, action)


def test_a_contributor_cannot_publish_through_the_form_or_the_actions(client):
    contributor = make_user("contributor")
    client.force_login(contributor)
    draft = EventFactory(slug="draft-event", status="draft")
    CitationFactory(event=draft, locator="Lead")
    form = client.get(reverse("admin:timeline_event_change", args=[draft.pk])).content.decode()
    statuses = re.findall(
        r'<option value="(\w+)"', form.split('name="status"')[1].split("</select>")[0]
    )
    assert statuses == ["draft", "review"]
    response = client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == "draft"  # the action is not theirs: the admin offers it not
    assert response.status_code == 302
    client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "submit_for_review", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == "review"


def test_createeditor_adds_a_staff_account_in_its_role():
    out = io.StringIO()
    call_command("createeditor", "agnes", role="editor", password="a-long-passphrase", stdout=out)
    user = User.objects.get(username="agnes")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("timeline.publish_event")
    assert "Created agnes, one of the Editors." in out.getvalue()
    call_command("createeditor", "bela", role="contributor", password="a-long-passphrase")
    assert not User.objects.get(username="bela").has_perm("timeline.publish_event")
    with pytest.raises(CommandError, match="already an account"):
        call_command("createeditor", "agnes", role="editor", password="a-long-passphrase")


WORD = "Zyzzyvaceous"


@pytest.fixture
def drafts(content):
    """A draft of each kind, each carrying WORD, linked to published content."""
    published = Event.objects.published().get(slug="soviet-tanks-enter-budapest")
    person = PersonFactory(slug="draft-person", name=f"Person {WORD}", status="draft")
    ParticipationFactory(event=published, person=person, role=f"role {WORD}")
    place = PlaceFactory(slug="draft-place", name=f"Place {WORD}", status="draft")
    place.parent = Place.objects.get(slug="budapest")
    place.save()
    published.places.add(place)
    source = SourceFactory(slug="draft-source", title=f"Source {WORD}", status="draft")
    CitationFactory(event=published, source=source, locator=f"page {WORD}", key="draft-cite")
    period = PeriodFactory(slug="draft-period", title=f"Period {WORD}", status="draft")
    event = EventFactory(slug="draft-event", title=f"Event {WORD}", status="draft", period=period)
    return {"event": event, "person": person, "place": place, "source": source, "period": period}


def public_urls():
    urls = [
        reverse("timeline:home"),
        reverse("timeline:event-list"),
        reverse("timeline:event-list") + "?place=budapest",
        reverse("timeline:period-list"),
        reverse("timeline:person-list"),
        reverse("timeline:place-list"),
        reverse("timeline:source-list"),
        reverse("timeline:event-names") + f"?for=person&q={WORD}",
        reverse("timeline:event-names") + f"?for=place&q={WORD}",
    ]
    for model in MODELS:
        urls += [obj.get_absolute_url() for obj in model.objects.published()]
    return urls


def test_no_draft_reaches_an_anonymous_reader_anywhere(client, drafts):
    leaks = []
    for url in public_urls():
        response = client.get(url)
        if WORD.lower() in response.content.decode().lower():
            leaks.append(url)
    assert not leaks
    # Searches echo the word typed; what they must not do is find anything.
    found = client.get(reverse("timeline:event-list"), {"q": WORD}).context["paginator"]
    assert found.count == 0
    assert client.get(reverse("timeline:search"), {"q": WORD}).context["total"] == 0
    for obj in drafts.values():
        assert client.get(obj.get_absolute_url()).status_code == 404


def test_editors_preview_drafts_marked_unindexed_and_unstored(client, drafts):
    client.force_login(make_user("contributor"))
    response = client.get(drafts["event"].get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft</strong> — only editors see this page." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    timeline = client.get(reverse("timeline:event-list"), {"q": WORD}).content.decode()
    assert f"Event {WORD}" in timeline


def test_the_admin_view_on_site_link_opens_the_preview(client, drafts):
    client.force_login(make_user("editor"))
    page = client.get(reverse("admin:timeline_event_change", args=[drafts["event"].pk]))
    link = re.search(r'href="([^"]+)" class="viewsitelink"', page.content.decode()).group(1)
    preview = client.get(link, follow=True)
    assert preview.status_code == 200
    assert f"Event {WORD}" in preview.content.decode()
