"""The Content-Security-Policy in a real Chromium: no page breaks it, public or admin."""

import json

import pytest
from django.urls import reverse

from tests.browser import draft_event
from tests.test_browser import CHROMIUM_ARGS, browser, sign_in, site  # noqa: F401

pytestmark = pytest.mark.browser

# Each violation as the page itself sees it, before any of its own scripts run.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__violations.push(`${event.effectiveDirective} ${event.blockedURI} ` +
        `${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def enforced(browser):  # noqa: F811
    """A page with the site's policy enforced, recording violations and console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.console_errors.append(message.text)
        ),
    )
    yield page
    context.close()


def visit(page, url, paths):
    found = {}
    for name, path in paths.items():
        response = page.goto(url + path)
        assert response.status < 500, name
        policy = response.headers["content-security-policy"]
        assert "'unsafe-eval'" not in policy, name
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__violations") + page.console_errors
        page.console_errors.clear()
        if violations:
            found[name] = violations
    return found


def test_no_public_page_breaks_the_policy(site, enforced):  # noqa: F811
    found = visit(enforced, site["url"], site["paths"])
    assert not found, json.dumps(found, indent=1)


def test_no_admin_page_breaks_the_policy(site, enforced, django_user_model):  # noqa: F811
    from timeline.models import Event

    django_user_model.objects.create_superuser("csp", "csp@example.org", "pw")
    event = Event.objects.published().filter(citations__isnull=False).first()
    draft = draft_event()
    sign_in(enforced, site["url"], "csp", "pw")
    paths = {
        "admin index": reverse("admin:index"),
        "event list": reverse("admin:timeline_event_changelist"),
        "event change form": reverse("admin:timeline_event_change", args=[event.pk]),
        "event add form": reverse("admin:timeline_event_add"),
        "event history": reverse("admin:timeline_event_history", args=[event.pk]),
        "person change form": reverse(
            "admin:timeline_person_change", args=[event.participations.first().person_id]
        ),
        "draft preview": draft.get_absolute_url(),
    }
    found = visit(enforced, site["url"], paths)
    # The autocomplete widgets (select2) open and draw their lists under the policy too.
    enforced.goto(site["url"] + paths["event change form"])
    enforced.locator(".select2-selection").first.click()
    enforced.wait_for_selector(".select2-results__option")
    late = enforced.evaluate("window.__violations") + enforced.console_errors
    if late:
        found["autocomplete"] = late
    assert not found, json.dumps(found, indent=1)
