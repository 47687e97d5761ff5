"""Load the site's content from fixtures/ into a database that has none yet."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from timeline import backup, history

CONFIRM = "Type 'yes' to load the fixtures over the current content, or 'no' to cancel: "


def fixture_paths(directory=None):
    """Return the content fixtures in load order (their names are numbered)."""
    directory = Path(directory or Path(settings.BASE_DIR, "fixtures"))
    return sorted(str(path) for path in directory.glob("*.json"))


def install_media(directory=None):
    """Copy the pictures' files shipped in fixtures/media/ into MEDIA_ROOT; return how many.

    The directory is laid out as MEDIA_ROOT is, as a backup's media/ is; files already
    there are left alone.
    """
    media = Path(directory or Path(settings.BASE_DIR, "fixtures")) / "media"
    copied = 0
    for path in sorted(media.rglob("*")):
        name = path.relative_to(media).as_posix()
        if path.is_file() and not default_storage.exists(name):
            with path.open("rb") as file:
                default_storage.save(name, File(file))
            copied += 1
    return copied


def load(sources, comment=history.IMPORTED):
    """Load the fixtures, recording a revision of each item they add or change."""
    with transaction.atomic():
        saved = backup.load(sources)
        history.record_revisions(saved, comment)
    return saved


class Command(BaseCommand):
    help = (
        "Load every fixture in fixtures/, validated, in one transaction. A database that "
        "already holds content is left alone, so editors' changes survive. --force loads "
        "the fixtures over it: it first writes a backup, lists the rows that would be "
        "overwritten or re-created, and asks before going on (--yes answers for you)."
    )
    # Tests hand in a stream that plays the terminal, as createsuperuser's do.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when content is present, overwriting rows with the same key.",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="With --force, do not ask before overwriting (the backup is still written).",
        )
        parser.add_argument(
            "--fixtures",
            metavar="DIR",
            help="Load the *.json files of this directory instead of fixtures/.",
        )
        parser.add_argument(
            "--backup-dir",
            metavar="DIR",
            help="Where --force writes its backup (default: backups/ beside manage.py).",
        )

    def handle(self, *args, force, yes, fixtures, backup_dir, verbosity, **options):
        self.stdin = options.get("stdin", sys.stdin)
        self.verbosity = verbosity
        has_content = backup.has_content()
        if has_content and not force:
            self.say(
                "Content is already loaded; left as it is (use --force to reload the fixtures)."
            )
            return
        paths = fixture_paths(fixtures)
        if not paths:
            raise CommandError(f"No *.json fixtures in {fixtures or 'fixtures/'}.")
        copied = install_media(fixtures)
        if copied:
            self.say(f"Copied {copied} picture file(s) into MEDIA_ROOT.")
        try:
            sources = backup.read_fixtures(paths)
            if has_content:
                self.load_over(sources, yes, Path(backup_dir or backup.default_directory()))
            else:
                saved = load(sources)
                self.say(f"Installed {len(saved)} object(s) from {len(paths)} fixture(s).")
        except (backup.LoadError, backup.BackupError) as error:
            raise CommandError(str(error)) from None

    def load_over(self, sources, yes, backup_dir):
        """Back up the content, show what the fixtures would change, and load them if agreed."""
        # The first pass finds the changes; without --yes it is rolled back, since a
        # write transaction held open while someone reads a prompt locks out editors.
        with transaction.atomic():
            before = backup.dump()
            saved = backup.load(sources)
            changes = backup.Changes.between(before, backup.dump(), saved)
            if not changes.differs():
                transaction.set_rollback(True)
                self.say("The database holds the fixtures' content: nothing differs.")
                kept = sum(len(model.kept) for model in changes.models.values())
                if kept:
                    self.say(
                        f"{kept} row(s) not in the fixtures (added by editors) stay as they are."
                    )
                return
            path = backup.write_backup(before, backup.timestamped_path(backup_dir))
            show = self.verbosity >= 1 or not yes
            if show:
                self.stdout.write(f"Backed up the current content to {path}")
                self.stdout.write("Loading the fixtures over it changes, per model:")
                for line in changes.lines(self.verbosity):
                    self.stdout.write(line)
            if yes:
                history.record_revisions(saved, history.RELOADED)
            else:
                transaction.set_rollback(True)
        if not yes:
            if not self.confirm(path):
                self.stdout.write(f"Cancelled; nothing was loaded. The backup is at {path}")
                return
            with transaction.atomic():
                if backup.dump() != before:
                    raise CommandError(
                        "The content changed while waiting for an answer; nothing was "
                        "loaded. Run loadcontent --force again."
                    )
                saved = load(sources, history.RELOADED)
        self.say(
            f"Installed {len(saved)} object(s) from {len(sources)} fixture(s) over the "
            f"content; restore {path} to bring back what was there."
        )

    def confirm(self, path):
        """Ask on the terminal whether to go on; refuse when there is no one to ask."""
        refusal = (
            "Not loading: the changes above need confirming and {reason}. Nothing was "
            f"changed; run again with --yes to overwrite them (the backup is at {path})."
        )
        if self.stdin is None or not self.stdin.isatty():
            raise CommandError(refusal.format(reason="there is no terminal to ask on"))
        self.stdout.write(CONFIRM, ending="")
        self.stdout.flush()
        answer = self.stdin.readline()
        if not answer:
            raise CommandError(refusal.format(reason="the input ended without an answer"))
        return answer.strip().lower() in {"yes", "y"}

    def say(self, message):
        if self.verbosity >= 1:
            self.stdout.write(message)
