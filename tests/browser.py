"""What the browser and HTML-checker tests need: Chromium, axe-core, the Nu checker.

Without CI a missing tool skips those tests with the reason; with CI=true it fails
them, so a green CI run always means they ran.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import IN_CI

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

PAGE_TYPES = {
    "home": "/",
    "period list": "/periods/",
    "period": "/periods/hungarian-revolution-of-1956/",
    "timeline": "/events/",
    "timeline filtered": "/events/?kind=military&q=budapest",
    "timeline with a bad date": "/events/?start=1956-13-45",
    "event": "/events/{event}/",
    "person list": "/people/",
    "person": "/people/imre-nagy/",
    "place list": "/places/",
    "place": "/places/budapest/",
    "source list": "/sources/",
    "source": "/sources/wikipedia-hungary-soviet-union-relations/",
    "search": "/search/?q=karolyi",
    "open data": "/data/",
    "not found": "/no-such-page/",
    "timeline drawn": "/events/?view=timeline",
    "timeline drawn at a day": "/events/?view=timeline&zoom=day&at=1956-11-04",
    "timeline drawn, filtered": "/events/?view=timeline&zoom=decade&at=1950&kind=military",
    "timeline with a bad zoom": "/events/?view=timeline&zoom=week",
    "timeline map": "/events/?view=map",
    "timeline map, filtered": "/events/?view=map&start=1956&end=1956",
    "place without coordinates": "/places/radio-station/",
    "country with places on its map": "/places/hungary/",
}


def require(path_or_command, what):
    """Return the tool's path, or skip (fail in CI) when it is missing."""
    found = shutil.which(path_or_command) if isinstance(path_or_command, str) else None
    if isinstance(path_or_command, Path) and path_or_command.exists():
        found = str(path_or_command)
    if found:
        return found
    message = f"{what} is not installed ({path_or_command}); .ci/run installs it"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def chromium_path():
    return require(os.environ.get("CHROMIUM", "chromium"), "Chromium")


def page_paths():
    """Return the path of each page type, with a real event that has a body."""
    from timeline.models import Event

    event = (
        Event.objects.published().exclude(body="").filter(citations__isnull=False).first()
        or Event.objects.published().first()
    )
    return {name: path.format(event=event.slug) for name, path in PAGE_TYPES.items()}


def draft_event():
    """Return a draft event with a citation, for pages seen in preview."""
    from timeline.models import Citation, Event, Source

    event = Event.objects.create(
        slug="a-draft-in-preview",
        title="A draft in preview",
        date="1956-11-05",
        summary="Not yet published.[^a-draft-note]",
        status=Event.Status.DRAFT,
    )
    Citation.objects.create(
        key="a-draft-note", event=event, source=Source.objects.first(), locator="Lead"
    )
    return event
