"""Write the site's content to a timestamped backup archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline import backup


class Command(BaseCommand):
    help = (
        "Write every content row, as natural-key JSON, to a new backup archive "
        "(backups/histsite-backup-<UTC time>.tar.gz unless --output says otherwise). "
        "restore brings it back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="PATH",
            help="The file to write, or a directory to write a timestamped file in.",
        )

    def handle(self, *args, output=None, **options):
        target = Path(output) if output else backup.default_directory()
        if target.is_dir() or not output:
            target = backup.timestamped_path(target)
        try:
            path = backup.write_backup(backup.dump(), target)
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
