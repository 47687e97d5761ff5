"""Load the site's content from fixtures/ into a database that has none yet."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from timeline.models import Event, Period, Topic


def fixture_paths():
    """Return the content fixtures in load order (their names are numbered)."""
    return sorted(str(path) for path in Path(settings.BASE_DIR, "fixtures").glob("*.json"))


class Command(BaseCommand):
    help = (
        "Load every fixture in fixtures/ in one loaddata call. A database that already "
        "holds content is left alone, so editors' changes survive; --force loads the "
        "fixtures over it (rows with the same natural key are overwritten)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when content is present, overwriting rows with the same key.",
        )

    def handle(self, *args, force=False, verbosity=1, **options):
        has_content = any(model.objects.exists() for model in (Topic, Period, Event))
        if has_content and not force:
            self.stdout.write(
                "Content is already loaded; left as it is (use --force to reload the fixtures)."
            )
            return
        call_command("loaddata", *fixture_paths(), verbosity=verbosity)
