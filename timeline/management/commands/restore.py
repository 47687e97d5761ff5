"""Bring back the content of a backup archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from timeline import backup


class Command(BaseCommand):
    help = (
        "Load the content of a backup (or of a JSON list of rows dumpdata wrote) into a "
        "database without content. --replace deletes the current content first, after "
        "backing it up. Either way it is one transaction: a restore that fails changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup archive (or JSON file) to restore.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the current content first (it is backed up before).",
        )
        parser.add_argument(
            "--backup-dir",
            metavar="DIR",
            help="Where --replace backs up the current content (default: backups/).",
        )

    def handle(self, *args, path, replace, backup_dir, verbosity, **options):
        try:
            rows = backup.read_backup(path)
            with transaction.atomic():
                deleted = 0
                if backup.has_content():
                    if not replace:
                        raise CommandError(
                            "The database already holds content; restore into an empty "
                            "database, or use --replace to delete the current content first."
                        )
                    directory = Path(backup_dir or backup.default_directory())
                    saved_to = backup.write_backup(
                        backup.dump(), backup.timestamped_path(directory)
                    )
                    if verbosity >= 1:
                        self.stdout.write(f"Backed up the current content to {saved_to}")
                    deleted = backup.delete_content()
                # The rows are the database's own, saved as they were: validating them
                # again could refuse content that rules added since have never seen.
                saved = backup.load([(backup.display_path(path), rows)], validate=False)
                # Last, so a load that fails writes no file; a media failure undoes the load.
                media = backup.restore_media(path)
        except (backup.LoadError, backup.BackupError) as error:
            raise CommandError(str(error)) from None
        if verbosity >= 1:
            replaced = f", in place of {deleted} deleted row(s)" if deleted else ""
            files = f" and {media} media file(s)" if media else ""
            self.stdout.write(f"Restored {len(saved)} object(s){files} from {path}{replaced}.")
