"""Backups carry the media files beside the content, and restore brings both back."""

import io
import json
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.test_fixtures import dump
from timeline import backup

pytestmark = pytest.mark.django_db

FILES = {"images/1956/parliament.png": b"\x89PNG not really", "notes/readme.txt": b"a note"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, data in FILES.items():
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return settings.MEDIA_ROOT


def make_backup(tmp_path):
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out)
    return out.getvalue().strip()


def test_a_backup_holds_the_media_files_and_restore_writes_them_back(content, media, tmp_path):
    before = dump()
    path = make_backup(tmp_path)
    with tarfile.open(path) as archive:
        names = set(archive.getnames())
        manifest = json.load(archive.extractfile("manifest.json"))
    assert {f"media/{name}" for name in FILES} <= names
    assert manifest["media"] == len(FILES)
    backup.delete_content()
    for name in FILES:
        (media / name).unlink()
    out = io.StringIO()
    call_command("restore", path, stdout=out)
    assert dump() == before
    assert {name: (media / name).read_bytes() for name in FILES} == FILES
    assert f"and {len(FILES)} media file(s)" in out.getvalue()


def test_without_media_a_backup_has_no_media_members(content, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    path = make_backup(tmp_path)
    with tarfile.open(path) as archive:
        assert sorted(archive.getnames()) == ["content.json", "manifest.json"]
        assert "media" not in json.load(archive.extractfile("manifest.json"))


@pytest.mark.parametrize("name", ["media/../escaped.txt", "media//etc/escaped.txt"])
def test_a_media_member_outside_media_root_is_refused_and_nothing_changes(
    content, media, tmp_path, name
):
    path = make_backup(tmp_path)
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(path) as source, tarfile.open(evil, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo(name)
        info.size = 4
        target.addfile(info, io.BytesIO(b"evil"))
    backup.delete_content()
    for file in FILES:
        (media / file).unlink()
    with pytest.raises(CommandError, match="refusing the media member"):
        call_command("restore", str(evil), stdout=io.StringIO())
    assert not backup.has_content()
    assert (
        not (tmp_path / "escaped.txt").exists()
        and not (media / "images/1956/parliament.png").exists()
    )
