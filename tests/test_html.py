"""Every page type is valid HTML, by the Nu HTML checker (vnu.jar, run by Java)."""

import json
import subprocess

import pytest
from django.core.management import call_command

from tests.browser import VNU_JAR, page_paths, require

pytestmark = pytest.mark.django_db


def test_every_page_type_is_valid_html(client, tmp_path):
    java = require("java", "Java")
    jar = require(VNU_JAR, "vnu-jar")
    call_command("loadcontent", verbosity=0)
    files = {}
    for name, path in page_paths().items():
        response = client.get(path)
        assert response.status_code in {200, 400, 404}, name
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
