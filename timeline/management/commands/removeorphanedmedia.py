"""Find and remove files under MEDIA_ROOT that no image refers to."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from timeline.models import Image


def orphaned_files(root, min_age_seconds=0):
    """Return the files under root that no image keeps, older than min_age_seconds."""
    root = Path(root)
    if not root.is_dir():
        return []
    kept = set()
    for stored_files in Image.objects.values_list("file", "renditions"):
        name, renditions = stored_files
        kept.add(name)
        kept.update(rendition["name"] for rendition in renditions or [])
    now = time.time()
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and path.relative_to(root).as_posix() not in kept
        and now - path.stat().st_mtime >= min_age_seconds
    )


class Command(BaseCommand):
    help = (
        "Remove files under MEDIA_ROOT that no image refers to: left by an upload whose "
        "save was rolled back, or by a deleted image whose files outlived it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the orphaned files; remove nothing."
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            help="Leave files younger than this many minutes (an upload being saved "
            "right now is not yet in the database). Default: 60.",
        )

    def handle(self, *args, dry_run=False, min_age=60, **options):
        root = Path(settings.MEDIA_ROOT)
        orphans = orphaned_files(root, min_age * 60)
        for path in orphans:
            self.stdout.write(str(path.relative_to(root)))
            if not dry_run:
                path.unlink()
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(f"{len(orphans)} orphaned file(s) {verb} under {root}.")
