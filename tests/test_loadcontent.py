"""loadcontent, backup and restore: no content is lost without a backup and a yes."""

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.test_fixtures import dump, dump_rows
from timeline import backup
from timeline.management.commands.loadcontent import fixture_paths
from timeline.models import Event, Image, Person, Place

pytestmark = pytest.mark.django_db

EDITED = "karolyi-looks-to-soviet-russia"
WITHDRAWN = "last-soviet-troops-leave"
DELETED = "nagy-executed"
ADDED = "an-editors-historian"


class Terminal(io.StringIO):
    """Typed answers, as if read from a terminal."""

    def isatty(self):
        return True


def fixture_count():
    return sum(len(json.loads(Path(path).read_text(encoding="utf-8"))) for path in fixture_paths())


def content_rows():
    return sum(model.objects.count() for model in backup.content_models())


@pytest.fixture
def edited(content):
    """Edit the loaded content as editors would: change, withdraw, delete and add."""
    event = Event.objects.get(slug=EDITED)
    event.title = "Károlyi turns to Moscow"
    event.save()
    event.places.remove(*event.places.all()[:1])
    Event.objects.filter(slug=WITHDRAWN).update(status=Event.Status.DRAFT)
    deleted = Event.objects.get(slug=DELETED)
    cascaded = {
        "citations": deleted.citations.count(),
        "participations": deleted.participations.count(),
    }
    deleted.delete()
    Person.objects.create(slug=ADDED, name="A Historian", sort_name="Historian, A")
    return cascaded


def force(tmp_path, answer=None, **options):
    """Run loadcontent --force and return its output; answer is typed on a terminal."""
    out = io.StringIO()
    stdin = Terminal(answer) if answer is not None else io.StringIO("")
    call_command(
        "loadcontent",
        force=True,
        backup_dir=str(tmp_path / "backups"),
        stdin=stdin,
        stdout=out,
        **options,
    )
    return out.getvalue()


def backups_in(tmp_path):
    return sorted((tmp_path / "backups").glob("*.tar.gz"))


def test_the_fixtures_load_with_no_errors_and_derived_fields_filled(db, media_root):
    out = io.StringIO()
    call_command("loadcontent", stdout=out)
    media = Path(fixture_paths()[0]).parent / "media"
    shipped = [path for path in media.rglob("*") if path.is_file()]
    assert out.getvalue().strip().splitlines() == [
        f"Copied {len(shipped)} picture file(s) into MEDIA_ROOT.",
        f"Installed {fixture_count()} object(s) from {len(fixture_paths())} fixture(s).",
    ]
    assert all((media_root / path.relative_to(media)).is_file() for path in shipped)
    assert content_rows() == fixture_count()
    event = Event.objects.get(slug=DELETED)
    assert (event.date_earliest.isoformat(), event.date_latest.isoformat()) == (
        "1958-06-01",
        "1958-06-30",
    )
    assert "executed" in event.search_text
    assert not Event.objects.filter(search_text="").exists()


def test_loading_the_fixtures_again_changes_nothing_and_asks_nothing(content, tmp_path):
    before = dump()
    out = force(tmp_path)
    assert "nothing differs" in out
    assert dump() == before
    assert backups_in(tmp_path) == []


def test_force_backs_up_lists_changes_and_on_no_changes_nothing(edited, tmp_path):
    before = dump()
    out = force(tmp_path, answer="no\n")
    [path] = backups_in(tmp_path)
    assert f"Backed up the current content to {path}" in out
    assert (
        "  timeline.event: 2 edited rows overwritten (fields: places, status, title); "
        "1 deleted row re-created\n"
    ) in out
    assert f"timeline.citation: {edited['citations']} deleted rows re-created\n" in out
    assert f"timeline.participation: {edited['participations']} deleted rows" in out
    assert "timeline.person: 1 row not in the fixtures (added by editors), kept as it is\n" in out
    assert "Cancelled; nothing was loaded." in out
    assert dump() == before


def test_force_lists_each_row_at_verbosity_two(edited, tmp_path):
    out = force(tmp_path, answer="no\n", verbosity=2)
    assert f'    overwritten "{EDITED}": places, title\n' in out
    assert f'    overwritten "{WITHDRAWN}": status\n' in out
    assert f'    re-created "{DELETED}"\n' in out
    assert f'    not in the fixtures "{ADDED}"\n' in out


@pytest.mark.parametrize(
    ("stdin", "reason"),
    [
        (io.StringIO("yes\n"), "there is no terminal to ask on"),
        (Terminal(""), "the input ended without an answer"),
        (None, "there is no terminal to ask on"),
    ],
)
def test_force_without_an_answer_refuses_and_changes_nothing(edited, tmp_path, stdin, reason):
    before = dump()
    with pytest.raises(CommandError) as raised:
        call_command(
            "loadcontent",
            force=True,
            backup_dir=str(tmp_path / "backups"),
            stdin=stdin,
            stdout=io.StringIO(),
        )
    assert reason in str(raised.value)
    assert "--yes" in str(raised.value)
    assert dump() == before


def test_force_yes_overwrites_edits_and_keeps_rows_editors_added(edited, tmp_path):
    out = force(tmp_path, yes=True)
    [path] = backups_in(tmp_path)
    assert f"restore {path} to bring back what was there" in out
    event = Event.objects.get(slug=EDITED)
    assert event.title == "Károlyi looks to a rapprochement with Soviet Russia"
    assert event.places.count() == 2
    assert Event.objects.get(slug=WITHDRAWN).status == Event.Status.PUBLISHED
    assert Event.objects.get(slug=DELETED).citations.count() == edited["citations"]
    assert Person.objects.filter(slug=ADDED).exists()
    assert content_rows() == fixture_count() + 1


def test_answering_yes_on_the_terminal_overwrites(edited, tmp_path):
    out = force(tmp_path, answer="yes\n")
    assert "Type 'yes'" in out
    assert Event.objects.get(slug=EDITED).title.startswith("Károlyi looks")


def test_restoring_the_backup_of_force_gives_back_the_edited_content(edited, tmp_path):
    before = dump()
    force(tmp_path, yes=True)
    assert dump() != before
    [path] = backups_in(tmp_path)
    out = io.StringIO()
    call_command(
        "restore", str(path), replace=True, backup_dir=str(tmp_path / "before"), stdout=out
    )
    assert dump() == before
    assert not Event.objects.filter(slug=DELETED).exists()
    assert Event.objects.get(slug=WITHDRAWN).status == Event.Status.DRAFT
    # --replace backed up what it deleted: the fixtures' content, with the added row.
    [replaced] = (tmp_path / "before").glob("*.tar.gz")
    assert f"Backed up the current content to {replaced}" in out.getvalue()


def test_backup_writes_an_archive_of_natural_key_json(content, tmp_path):
    out = io.StringIO()
    call_command("backup", output=str(tmp_path), stdout=out)
    path = Path(out.getvalue().strip())
    assert path.parent == tmp_path
    assert path.name.startswith("histsite-backup-") and path.name.endswith("Z.tar.gz")
    with tarfile.open(path) as archive:
        names = sorted(archive.getnames())
        assert [name for name in names if not name.startswith("media/")] == [
            "content.json",
            "manifest.json",
        ]
        # The first picture's files, which loadcontent installed, go along.
        picture = Image.objects.get(slug="locator-map-hungary-soviet-union")
        assert f"media/{picture.file.name}" in names
        manifest = json.load(archive.extractfile("manifest.json"))
        rows = json.load(archive.extractfile("content.json"))
    assert manifest["format"] == "histsite-backup"
    assert manifest["version"] == 1
    assert manifest["counts"]["timeline.event"] == Event.objects.count()
    assert all("pk" not in row for row in rows)
    assert sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows) == dump()


def test_backup_never_overwrites_a_file(content, tmp_path):
    target = tmp_path / "taken.tar.gz"
    target.write_text("precious")
    with pytest.raises(CommandError, match="never overwrites"):
        call_command("backup", output=str(target), stdout=io.StringIO())
    assert target.read_text() == "precious"


def test_restore_into_an_empty_database(edited, tmp_path):
    before = dump()
    out = io.StringIO()
    call_command("backup", output=str(tmp_path), stdout=out)
    # Not flush: PostgreSQL cannot truncate tables the edits left deferred checks on.
    backup.delete_content()
    assert content_rows() == 0
    call_command("restore", out.getvalue().strip(), stdout=io.StringIO())
    assert dump() == before


def test_restore_refuses_to_load_over_content_without_replace(edited, tmp_path):
    out = io.StringIO()
    call_command("backup", output=str(tmp_path), stdout=out)
    Event.objects.filter(slug=EDITED).update(title="Edited after the backup")
    before = dump()
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", out.getvalue().strip(), stdout=io.StringIO())
    assert dump() == before


def test_a_failed_restore_changes_nothing(content, tmp_path):
    rows = dump_rows()
    rows.append(
        {
            "model": "timeline.citation",
            "fields": {"key": "orphan", "source": ["no-such-source"], "event": [EDITED]},
        }
    )
    path = (tmp_path / "broken.json").resolve()
    path.write_text(json.dumps(rows), encoding="utf-8")
    Event.objects.filter(slug=EDITED).update(title="Edited")
    before = dump()
    with pytest.raises(CommandError) as raised:
        call_command(
            "restore", str(path), replace=True, backup_dir=str(tmp_path), stdout=io.StringIO()
        )
    assert str(raised.value) == (
        f'{path}: timeline.citation "orphan": source: '
        'no timeline.source has the natural key "no-such-source"'
    )
    assert dump() == before


def test_restore_reads_a_dump_with_primary_keys_and_moves_sequences_on(content, tmp_path):
    out = io.StringIO()
    call_command("dumpdata", "timeline", format="json", stdout=out)
    path = tmp_path / "with-pks.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    before = dump()
    call_command("flush", verbosity=0, interactive=False)
    call_command("restore", str(path), stdout=io.StringIO())
    assert dump() == before
    # A new row needs a fresh primary key, past the restored ones.
    Place.objects.create(slug="new-place", name="New place")


def test_restore_refuses_a_backup_from_a_newer_format(db, tmp_path):
    path = tmp_path / "future.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (
            ("manifest.json", {"format": "histsite-backup", "version": 99}),
            ("content.json", []),
        ):
            text = json.dumps(data).encode()
            info = tarfile.TarInfo(name)
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text))
    with pytest.raises(CommandError, match="format 99 is newer"):
        call_command("restore", str(path), stdout=io.StringIO())


def by_slug(rows, slug):
    return next(row for row in rows if row["fields"].get("slug") == slug)


def set_field(slug, name, value):
    def change(rows):
        by_slug(rows, slug)["fields"][name] = value

    return change


def drop_field(slug, name):
    def change(rows):
        del by_slug(rows, slug)["fields"][name]

    return change


def copy_event(slug):
    def change(rows):
        rows.append(json.loads(json.dumps(by_slug(rows, slug))))

    return change


def set_citation(citation, **fields):
    def change(rows):
        row = next(row for row in rows if row["fields"]["key"] == citation)
        row["fields"].update(fields)

    return change


def set_participation(event, person, **fields):
    def change(rows):
        row = next(row for row in rows if row["fields"].get("event") == [event])
        row["fields"].update(person=[person], **fields)

    return change


EVENTS = "06_events.json"
EVENT = f'timeline.event "{EDITED}"'
BAD_FIXTURES = {
    "status": (EVENTS, set_field(EDITED, "status", "publshed"), EVENT, "status: Value"),
    "date": (EVENTS, set_field(EDITED, "date", "1956-13-45"), EVENT, "date: “1956-13-45”"),
    "text": (EVENTS, set_field(EDITED, "date", "not a date"), EVENT, "date: “not a date”"),
    "missing": (EVENTS, drop_field(EDITED, "summary"), EVENT, "summary: This field"),
    "period": (
        EVENTS,
        set_field(EDITED, "period", ["no-such-period"]),
        EVENT,
        'period: no timeline.period has the natural key "no-such-period"',
    ),
    "place": (
        EVENTS,
        set_field(EDITED, "places", [["hungary"], ["atlantis"]]),
        EVENT,
        'places: no timeline.place has the natural key "atlantis"',
    ),
    "person": (
        EVENTS,
        set_participation(EDITED, "nobody"),
        f'timeline.participation ["{EDITED}", "nobody"]',
        'person: no timeline.person has the natural key "nobody"',
    ),
    "twice": (
        EVENTS,
        copy_event(DELETED),
        f'timeline.event "{DELETED}"',
        "slug: defined twice (also in {file})",
    ),
    "field": (EVENTS, set_field(EDITED, "colour", "red"), EVENT, "colour: timeline.event has no"),
    "key": (
        "07_citations.json",
        set_citation("hungary-1", key=""),
        "timeline.citation (object 1)",
        "key: missing",
    ),
    "source": (
        "07_citations.json",
        set_citation("hungary-1", source=["no-such-source"]),
        'timeline.citation "hungary-1"',
        'source: no timeline.source has the natural key "no-such-source"',
    ),
    "targets": (
        "07_citations.json",
        set_citation("hungary-1", event=[EDITED]),
        'timeline.citation "hungary-1"',
        "A citation supports exactly one thing",
    ),
    "accessed": (
        "01_sources.json",
        set_field("wilson-fourteen-points", "accessed", "2020-13-45"),
        'timeline.source "wilson-fourteen-points"',
        "accessed: “2020-13-45”",
    ),
}


def broken_fixtures(tmp_path, name, change):
    """Copy the fixtures to a directory and break one file with change."""
    directory = tmp_path / "fixtures"
    directory.mkdir()
    for path in fixture_paths():
        shutil.copy(path, directory)
    rows = json.loads((directory / name).read_text(encoding="utf-8"))
    change(rows)
    (directory / name).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return directory


@pytest.mark.parametrize("case", BAD_FIXTURES)
def test_a_bad_fixture_fails_in_one_line_naming_file_object_and_field(db, tmp_path, case):
    name, change, obj, problem = BAD_FIXTURES[case]
    directory = broken_fixtures(tmp_path, name, change)
    path = (directory / name).resolve()
    with pytest.raises(CommandError) as raised:
        call_command("loadcontent", fixtures=str(directory), verbosity=0)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {obj}: {problem.format(file=path)}")
    assert message.count(problem.format(file=path)) == 1
    assert content_rows() == 0


def test_a_bad_fixture_over_content_changes_nothing_and_writes_no_backup(edited, tmp_path):
    name, change, obj, problem = BAD_FIXTURES["date"]
    directory = broken_fixtures(tmp_path, name, change)
    before = dump()
    with pytest.raises(CommandError, match=problem):
        force(tmp_path, yes=True, fixtures=str(directory))
    assert dump() == before
    assert backups_in(tmp_path) == []


def test_an_error_the_date_parser_did_not_expect_still_names_the_object(db, tmp_path, monkeypatch):
    from timeline import dates

    parse = dates.parse

    def broken_parse(value):
        if value == "1919-02":
            raise KeyError(25)
        return parse(value)

    monkeypatch.setattr(dates, "parse", broken_parse)
    directory = tmp_path / "fixtures"
    directory.mkdir()
    for path in fixture_paths()[:6]:
        shutil.copy(path, directory)
    with pytest.raises(CommandError) as raised:
        call_command("loadcontent", fixtures=str(directory), verbosity=0)
    path = (directory / EVENTS).resolve()
    assert str(raised.value) == f"{path}: {EVENT}: date: KeyError: 25"
    assert content_rows() == 0


def test_a_fixture_that_is_not_json_is_named(db, tmp_path):
    (tmp_path / "01_bad.json").write_text('[{"model": "timeline.place",', encoding="utf-8")
    with pytest.raises(CommandError, match=r"01_bad.json: cannot be read as JSON"):
        call_command("loadcontent", fixtures=str(tmp_path), verbosity=0)


def test_an_empty_fixture_directory_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="No \\*.json fixtures"):
        call_command("loadcontent", fixtures=str(tmp_path), verbosity=0)


def test_the_key_an_error_names_is_the_natural_key(content):
    """Errors name a row by its key fields; they must spell its natural key."""
    keys = set(backup.dump())
    for path in fixture_paths():
        for row in json.loads(Path(path).read_text(encoding="utf-8")):
            names = backup.key_fields(apps.get_model(row["model"]))
            if not names:
                # A picture's link to an item is keyed by its target, whichever of the
                # four it is (Illustration.natural_key()), not by fields of its own.
                assert row["model"] == "timeline.illustration", row
                continue
            assert (row["model"], backup.row_key(row["fields"], names)) in keys, row
