"""Every page type is valid HTML, by the Nu HTML checker (vnu.jar, run by Java)."""

import json
import subprocess

import pytest
from django.core.management import call_command

from tests.browser import VNU_JAR, draft_event, page_paths, require

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reader", ["anonymous", "editor previewing drafts"])
def test_every_page_type_is_valid_html(client, tmp_path, django_user_model, reader):
    java = require("java", "Java")
    jar = require(VNU_JAR, "vnu-jar")
    call_command("loadcontent", verbosity=0)
    paths = page_paths()
    if reader != "anonymous":
        client.force_login(django_user_model.objects.create_user("ed", is_staff=True))
        paths["draft"] = draft_event().get_absolute_url()
    files = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code in {200, 400, 404}, name
        if name == "draft":
            assert b"only editors see this page" in response.content
        file = tmp_path / (name.replace(" ", "-") + ".html")
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
