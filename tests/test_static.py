"""With DJANGO_DEBUG=false, collectstatic and whitenoise serve hashed, compressed files."""

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_pages_use_hashed_static_files_served_by_whitenoise(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()
        html = client.get("/").content.decode()
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)
        assert stylesheet, "the page does not link a hashed stylesheet"
        response = client.get(stylesheet.group(1), HTTP_ACCEPT_ENCODING="gzip, br")
        assert response.status_code == 200
        assert response["Content-Encoding"] in {"br", "gzip"}
        assert "max-age=315360000" in response["Cache-Control"]
        assert (tmp_path / "staticfiles.json").exists()


def test_production_refuses_to_start_without_a_secret_key():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": ""}
    env["DJANGO_SETTINGS_MODULE"] = "histsite.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr
