"""Pages with pictures: valid HTML (Nu checker), no WCAG violations (axe in Chromium),
and the rendition a 390 px phone downloads is not the widest one."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests import bench_images
from tests import image_samples as samples
from tests.browser import AXE_SCRIPT, VNU_JAR, chromium_path, page_paths, require
from tests.factories import ImageFactory, SourceFactory
from tests.test_browser import CHROMIUM_ARGS
from timeline.models import Event, Illustration, Period, Person, Place

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ILLUSTRATED_PAGES = ("event", "person", "place", "period")


def illustrate_the_content():
    """Give the event, person, place and period pages a lead picture and a gallery."""
    paths = page_paths()
    archive = SourceFactory(slug="photo-archive", title="Photo archive")
    lead = ImageFactory(
        file=SimpleUploadedFile("lead.jpg", samples.jpeg((2400, 1200))),
        caption="A lead picture.",
        credit="Jane Doe",
        source=archive,
        locator="12",
    )
    others = [
        ImageFactory(file=SimpleUploadedFile("p.png", samples.png((900, 600), mode="RGBA"))),
        ImageFactory(caption="", credit=""),
    ]
    slugs = {name: paths[name].strip("/").split("/")[-1] for name in ILLUSTRATED_PAGES}
    items = {
        "event": Event.objects.get(slug=slugs["event"]),
        "person": Person.objects.get(slug=slugs["person"]),
        "place": Place.objects.get(slug=slugs["place"]),
        "period": Period.objects.get(slug=slugs["period"]),
    }
    for field, item in items.items():
        Illustration.objects.create(image=lead, lead=True, **{field: item})
        for order, image in enumerate(others):
            Illustration.objects.create(image=image, order=order, **{field: item})
    return {name: paths[name] for name in ILLUSTRATED_PAGES}, lead


@pytest.mark.django_db
def test_pages_with_pictures_are_valid_html(client, tmp_path, media_root):
    java = require("java", "Java")
    jar = require(VNU_JAR, "vnu-jar")
    call_command("loadcontent", verbosity=0)
    paths, lead = illustrate_the_content()
    files = {}
    for name, path in paths.items():
        response = client.get(path)
        html = response.content.decode()
        assert lead.alt in html and "<picture>" in html, name
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files[str(file)] = name
    result = subprocess.run(
        [java, "-jar", jar, "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{files.get(m['url'].removeprefix('file:'), m['url'])}: line {m.get('lastLine')}: "
        f"{m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, "\n".join(errors)


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
def illustrated_site(live_server, transactional_db, settings, tmp_path):
    """The live site with the article, pictures on its pages, and /media/ served."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROOT_URLCONF = "tests.media_urls"
    call_command("loadcontent", verbosity=0)
    paths, lead = illustrate_the_content()
    return {"url": live_server.url, "paths": paths, "lead": lead}


def open_page(browser, viewport, bypass_csp=False):
    # axe is injected as an inline script, which the site's policy blocks;
    # tests/test_csp.py checks the policy itself.
    context = browser.new_context(
        viewport={"width": viewport, "height": 800}, bypass_csp=bypass_csp
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.mark.browser
def test_axe_finds_no_wcag_violations_on_pages_with_pictures(illustrated_site, browser):
    script = require(AXE_SCRIPT, "axe-core")
    context, page = open_page(browser, 1280, bypass_csp=True)
    failed_images = []
    page.on("requestfailed", lambda request: failed_images.append(request.url))
    results = {}
    try:
        for name, path in illustrated_site["paths"].items():
            page.goto(illustrated_site["url"] + path)
            assert page.locator("figure.figure--lead img").evaluate("img => img.naturalWidth") > 0
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
    finally:
        context.close()
    assert not results, json.dumps(results, indent=1)
    assert not failed_images


@pytest.mark.browser
@pytest.mark.parametrize("viewport", bench_images.VIEWPORTS)
def test_the_browser_downloads_the_rendition_the_bench_predicts(
    illustrated_site, browser, viewport
):
    context, page = open_page(browser, viewport)
    downloaded = []
    page.on(
        "response",
        lambda response: "/media/" in response.url and downloaded.append(response.url),
    )
    try:
        url = illustrated_site["url"] + illustrated_site["paths"]["event"]
        page.goto(url)
        page.wait_for_load_state("networkidle")
        html = page.content()
    finally:
        context.close()
    lead = illustrated_site["lead"]
    eager = [row for row in bench_images.chosen_images(html, viewport) if row["loading"] == "eager"]
    stem = Path(lead.file.name).stem
    base = illustrated_site["url"]
    lead_downloads = [url.removeprefix(base) for url in downloaded if stem in url]
    assert [row["url"] for row in eager] == lead_downloads
    widest = max(r["width"] for r in lead.renditions)
    if viewport == 390:
        assert eager[0]["width"] < widest, "a phone must not download the widest rendition"
    report = bench_images.image_bytes(
        illustrated_site["url"], illustrated_site["paths"]["event"], viewports=(viewport,)
    )
    assert report[viewport]["eager"] > 0
