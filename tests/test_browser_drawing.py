"""The drawn timeline and the maps in a real Chromium: keyboard, small screens, no JavaScript."""

import pytest

from tests.test_browser import browser, page, site, static_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

DRAWN = {
    "timeline": "/events/?view=timeline",
    "timeline at a year": "/events/?view=timeline&zoom=year&at=1956",
    "map": "/events/?view=map",
    "home": "/",
    "place": "/places/budapest/",
}


@pytest.mark.parametrize("width", [390, 1280])
def test_drawings_fit_the_screen_without_console_errors(site, browser, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    errors = []
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tab.on("pageerror", lambda error: errors.append(str(error)))
    overflowing = {}
    for name, path in DRAWN.items():
        tab.goto(site["url"] + path)
        assert tab.locator("svg.tl, svg.map").count() >= 1, name
        scroll = tab.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            overflowing[name] = scroll
        box = tab.locator("svg.tl, svg.map").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, name
    context.close()
    assert not overflowing
    assert not errors


FOCUSED_LABEL = """selector => {
    const active = document.activeElement;
    return active && active.matches(selector) ? active.getAttribute('aria-label') : null;
}"""


def focus_first(tab, selector, limit=400):
    """Press Tab until an element matching selector has focus; return its label."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        label = tab.evaluate(FOCUSED_LABEL, selector)
        if label:
            return label
    raise AssertionError(f"Tab never reached {selector}")


def test_timeline_marks_are_reachable_by_keyboard_with_a_visible_focus(site, page):  # noqa: F811
    page.goto(site["url"] + "/events/?view=timeline&zoom=year&at=1956")
    label = focus_first(page, "svg.tl a.tl-event")
    assert "1956" in label
    stroke = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('circle, rect')).strokeWidth"
    )
    assert stroke == "4px"
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/*/")
    assert label.split(",")[0] in page.locator("h1").inner_text()


def test_map_marks_are_reachable_by_keyboard(site, page):  # noqa: F811
    page.goto(site["url"] + "/events/?view=map")
    label = focus_first(page, "svg.map a.map-mark")
    assert "event" in label
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/?*place=*")
    assert page.locator(".event-item").count() >= 1


def test_keys_zoom_where_javascript_is_on(site, page):  # noqa: F811
    page.goto(site["url"] + "/events/?view=timeline&zoom=year&at=1956")
    page.keyboard.press("+")
    page.wait_for_url("**zoom=month*")
    page.keyboard.press("]")
    page.wait_for_url("**zoom=month*at=1956-02-01*")
    page.keyboard.press("-")
    page.wait_for_url("**zoom=year*")


def test_the_drawing_works_with_javascript_off(site, static_page):  # noqa: F811
    tab = static_page
    tab.goto(site["url"] + "/events/?view=timeline")
    assert tab.locator("svg.tl a.tl-event").count() > 0
    assert tab.locator("svg.tl a.tl-cluster").count() > 0
    tab.get_by_role("link", name="Year", exact=True).click()
    tab.wait_for_url("**zoom=year*")
    tab.locator("svg.tl a.tl-cluster, svg.tl a.tl-event").first.click()
    tab.wait_for_load_state()
    assert "/events/" in tab.url
    tab.goto(site["url"] + "/")
    assert tab.locator("svg.tl a.tl-band").count() >= 5
    assert tab.locator("svg.map path.map-land--soviet-union").count() == 1
