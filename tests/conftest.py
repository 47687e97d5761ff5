import os

import pytest
from django.core.cache import cache
from django.core.management import call_command

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: rolled-back rows must not live on in it."""
    cache.clear()


@pytest.fixture
def content(db):
    """Load the whole article's content, as a fresh install does."""
    call_command("loadcontent", verbosity=0)


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    """Keep the files a test uploads in a directory of its own, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
