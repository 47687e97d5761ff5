"""A real Chromium, driven by Playwright, on the live site with the whole article."""

import json
import os
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.browser import AXE_SCRIPT, chromium_path, draft_event, page_paths, require

# Playwright's sync API runs an event loop in this thread; the test's own database
# work happens before or between browser calls, never inside them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    call_command("loadcontent", verbosity=0)
    return {"url": live_server.url, "paths": page_paths()}


def sign_in(page, url, username, password):
    page.goto(url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/**")


@pytest.fixture
def page(browser):
    # axe is injected as an inline script, which the site's Content-Security-Policy
    # refuses; tests/test_csp.py loads every page with the policy enforced.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def static_page(browser):
    """A page with JavaScript off: everything must work without it."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_filter_the_timeline_by_clicking(site, static_page):
    page = static_page
    page.goto(site["url"] + "/events/")
    total = page.locator(".results__count").inner_text()
    page.get_by_role("checkbox", name="Military").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/events/?*kind=military*")
    filtered = page.locator(".results__count").inner_text()
    assert filtered != total
    assert int(filtered.split()[0]) < int(total.split()[0])
    titles = page.locator("article.event-item h3").all_inner_texts()
    assert titles
    page.get_by_role("link", name="Remove filter Kind: Military").click()
    page.wait_for_load_state()
    assert page.locator(".results__count").inner_text() == total


def test_search_the_timeline_without_accents(site, static_page):
    page = static_page
    page.goto(site["url"] + "/events/")
    page.locator("#id_q").fill("maleter")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**q=maleter*")
    assert "Maléter" in page.locator(".results").inner_text()


def test_follow_a_footnote_and_its_back_link(site, static_page):
    page = static_page
    page.goto(site["url"] + site["paths"]["event"])
    marker = page.locator("sup.ref a").first
    marker_id = marker.get_attribute("id")
    note_id = marker.get_attribute("href").lstrip("#")
    marker.click()
    page.wait_for_url(f"**#{note_id}")
    note = page.locator(f"#{note_id}")
    assert note.is_visible()
    assert note.evaluate("element => element.matches(':target')")
    note.locator(".backlinks a").first.click()
    page.wait_for_url(f"**#{marker_id}")
    assert page.evaluate("location.hash") == f"#{marker_id}"


def test_note_shows_on_hover_and_on_keyboard_focus_without_javascript(site, static_page):
    page = static_page
    page.goto(site["url"] + site["paths"]["event"])
    tip = page.locator("sup.ref .ref-tip").first
    assert not tip.is_visible()
    page.locator("sup.ref a").first.focus()
    assert tip.is_visible()
    assert tip.inner_text().startswith("Hungary–Soviet Union relations")
    page.locator("h1").click()
    assert not tip.is_visible()
    page.locator("sup.ref a").first.hover()
    assert tip.is_visible()


def test_no_horizontal_scroll_at_390_pixels(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    overflowing = {}
    for name, path in site["paths"].items():
        page.goto(site["url"] + path)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            overflowing[name] = width
    context.close()
    assert not overflowing


def test_no_console_errors_and_no_request_to_another_host(site, page):
    errors, foreign = [], []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    host = urlsplit(site["url"]).hostname

    def check(request):
        if urlsplit(request.url).hostname not in {host, None}:
            foreign.append(request.url)

    page.on("request", check)
    for name, path in site["paths"].items():
        response = page.goto(site["url"] + path)
        bad = {"not found": 404, "timeline with a bad date": 400, "timeline with a bad zoom": 400}
        expected = bad.get(name, 200)
        assert response.status == expected, name
    # A 404 or 400 page logs the status as a console error in Chromium; nothing else may.
    unexpected = [error for error in errors if "status of 40" not in error]
    assert not unexpected
    assert not foreign


@pytest.mark.parametrize("reader", ["anonymous", "editor previewing drafts"])
def test_axe_finds_no_wcag_violations(site, page, django_user_model, reader):
    script = require(AXE_SCRIPT, "axe-core")
    paths = dict(site["paths"])
    if reader != "anonymous":
        django_user_model.objects.create_user("ed", password="pw", is_staff=True)
        sign_in(page, site["url"], "ed", "pw")
        paths["draft"] = draft_event().get_absolute_url()
    results = {}
    for name, path in paths.items():
        page.goto(site["url"] + path)
        if name == "draft":
            assert page.locator(".draft-banner").is_visible()
        page.add_script_tag(path=script)
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {runOnly: {type: 'tag', values:
                    ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
                return result.violations.map(v => ({id: v.id, nodes: v.nodes.length,
                    target: v.nodes[0].target.join(' ')}));
            }"""
        )
        if violations:
            results[name] = violations
    assert not results, json.dumps(results, indent=1)


def test_print_stylesheet_keeps_references_and_hides_navigation(site, page):
    page.goto(site["url"] + site["paths"]["event"])
    page.emulate_media(media="print")
    assert page.locator(".references").is_visible()
    assert not page.locator(".site-nav").is_visible()
    assert not page.locator(".site-search").is_visible()


def test_admin_slug_breaks_words_at_dashes(site, page, django_user_model):
    django_user_model.objects.create_superuser("slugger", "s@example.org", "pw")
    page.goto(site["url"] + "/admin/login/?next=/admin/timeline/event/add/")
    page.fill("#id_username", "slugger")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.locator("#id_title").press_sequentially(
        "Soviet–Hungarian treaty of friendship/cooperation"
    )
    assert page.input_value("#id_slug") == "soviet-hungarian-treaty-of-friendship-cooperation"


def test_admin_date_input_reads_the_date_as_the_editor_types(
    live_server, transactional_db, django_user_model, page
):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    page.goto(live_server.url + "/admin/timeline/event/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/timeline/event/add/")
    reading = page.locator("#id_date_reading")
    page.fill("#id_date", "1956-1X")
    reading.filter(has_text="October–December 1956").wait_for()
    assert reading.inner_text() == (
        "reads as “October–December 1956”; earliest day 1956-10-01, latest 1956-12-31"
    )
    page.fill("#id_date", "1955-02-29")
    reading.filter(has_text="There was no 29 February 1955.").wait_for()


def test_admin_change_lists_fit_a_1280_pixel_screen(site, page, django_user_model):
    django_user_model.objects.create_superuser("wide", "w@example.org", "pw")
    page.goto(site["url"] + "/admin/login/")
    page.fill("#id_username", "wide")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    cut = {}
    for name in ("event", "person", "place", "period", "source", "citation", "participation"):
        page.goto(f"{site['url']}/admin/timeline/{name}/")
        table, box = page.evaluate(
            "[document.querySelector('#result_list').scrollWidth,"
            " document.querySelector('#changelist .results').clientWidth]"
        )
        if table > box:
            cut[name] = (table, box)
    assert not cut


def signed_in_page(browser, site, username):
    """Return a browser context of its own and a page in it, signed in to the admin."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(site["url"] + "/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return context, page


def test_a_save_over_a_newer_edit_is_refused_with_the_input_kept(site, browser, django_user_model):
    from timeline.models import Event

    for name in ("anna", "bela"):
        django_user_model.objects.create_superuser(name, f"{name}@example.org", "pw")
    event = Event.objects.filter(citations__isnull=False).first()
    summary = event.summary
    url = f"{site['url']}/admin/timeline/event/{event.pk}/change/"
    anna_context, anna = signed_in_page(browser, site, "anna")
    bela_context, bela = signed_in_page(browser, site, "bela")
    try:
        anna.goto(url)
        bela.goto(url)
        anna.fill("#id_title", "Anna’s title")
        anna.click("input[name=_save]")
        anna.wait_for_url("**/admin/timeline/event/")
        bela.fill("#id_summary", "Béla’s summary.")
        bela.fill("#id_revision_comment", "Shorter summary.")
        bela.click("input[name=_save]")
        bela.wait_for_load_state()
        error = bela.locator(".errorlist.nonfield").inner_text()
        assert "anna saved this event on" in error
        assert "Title (now “Anna’s title”)" in error
        assert bela.input_value("#id_summary") == "Béla’s summary."
        assert bela.input_value("#id_revision_comment") == "Shorter summary."
        assert bela.input_value("#id_title") == event.title
    finally:
        anna_context.close()
        bela_context.close()
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Anna’s title", summary)


def test_a_draft_goes_from_contributor_to_editor_to_readers(site, browser):
    """Write, preview and submit as a contributor; publish, change and revert as an editor."""
    from django.contrib.auth.models import Group, User

    from timeline.models import Event, Source

    for name, role in (("clara", "Contributors"), ("edith", "Editors")):
        user = User.objects.create_user(name, password="pw", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
    source = Source.objects.published().first()
    url = site["url"]

    def context_for(name=None):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        if name:
            sign_in(page, url, name, "pw")
        return page

    def reader_sees(path):
        page = context_for()
        response = page.goto(url + path)
        text = page.content() if response.status == 200 else ""
        page.context.close()
        return response.status, text

    clara = context_for("clara")
    clara.goto(url + "/admin/timeline/event/add/")
    clara.locator("#id_title").press_sequentially("A contributor's draft")
    clara.fill("#id_date", "1956-11-05")
    clara.fill("#id_summary", "Written by a contributor.")
    clara.click("#citations-group .add-row a")
    clara.evaluate(
        """([pk, title]) => {
            const select = document.querySelector('#id_citations-0-source');
            select.add(new Option(title, pk, true, true));
        }""",
        [str(source.pk), source.title],
    )
    clara.fill("#id_citations-0-locator", "Lead")
    clara.click("input[name=_save]")
    event = Event.objects.get(title="A contributor's draft")
    path = event.get_absolute_url()
    assert event.status == "draft" and event.created_by.username == "clara"

    clara.goto(url + path)
    assert clara.locator(".draft-banner").is_visible()
    assert reader_sees(path)[0] == 404

    clara.goto(url + "/admin/timeline/event/")
    clara.check(f"input[name=_selected_action][value='{event.pk}']")
    clara.select_option("select[name=action]", "submit_for_review")
    clara.click("button[name=index]")
    event.refresh_from_db()
    assert event.status == "review"
    clara.context.close()

    edith = context_for("edith")
    edith.goto(url + "/admin/timeline/event/")
    edith.check(f"input[name=_selected_action][value='{event.pk}']")
    edith.select_option("select[name=action]", "publish")
    edith.click("button[name=index]")
    status, text = reader_sees(path)
    assert status == 200 and "contributor" in text

    edith.goto(url + f"/admin/timeline/event/{event.pk}/change/")
    edith.fill("#id_title", "An editor's title")
    edith.click("input[name=_save]")
    assert "An editor" in reader_sees(path)[1]

    edith.goto(url + f"/admin/timeline/event/{event.pk}/history/")
    edith.locator("table.history-revisions tbody tr").nth(1).locator("th a").click()
    edith.click("input[name=_save]")
    event.refresh_from_db()
    assert event.title == "A contributor's draft"
    assert event.status == "published"
    status, text = reader_sees(path)
    assert status == 200 and "An editor" not in text and "contributor" in text
    edith.context.close()
