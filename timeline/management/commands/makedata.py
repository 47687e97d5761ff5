"""Fill the database with a large generated site for speed work: makedata --events N."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from timeline.cache import content_changed
from timeline.generator import PREFIX, Generator
from timeline.models import Event, EventKind


class Command(BaseCommand):
    help = (
        "Generate a realistic site of N events (with people, places, sources and citations "
        "in proportion) for measuring speed. The same seed gives the same data. Slugs start "
        f"with “{PREFIX}”, so it can run on an empty database or over loadcontent's."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=1000, help="How many events to make.")
        parser.add_argument("--seed", type=int, default=1, help="The random seed (default 1).")

    def handle(self, *args, events, seed, verbosity=1, **options):
        if events < 1:
            raise CommandError("Give --events a positive number.")
        if EventKind.objects.filter(slug__startswith=PREFIX).exists():
            raise CommandError(
                f"The database already holds generated data (slugs starting “{PREFIX}”); "
                "generate into a fresh database."
            )
        log = self.stdout.write if verbosity >= 1 else None
        generator = Generator(events, seed=seed, log=log)
        if log:
            log(f"Generating {events:,} events with seed {seed}:")
        generator.run()
        # Bulk inserts send no signals: index the new rows for search, and tell the
        # page cache that the content changed.
        call_command("reindex", verbosity=0)
        content_changed(Event)
        if verbosity >= 1:
            drafts = Event.objects.filter(
                slug__startswith=PREFIX, status=Event.Status.DRAFT
            ).count()
            counts = ", ".join(f"{label} {count:,}" for label, count in generator.counts.items())
            self.stdout.write(f"Made {counts} ({drafts:,} draft events).")
            self.stdout.write(
                self.style.SUCCESS(f"Generated in {generator.seconds['total']:.1f} s.")
            )
