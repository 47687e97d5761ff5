"""Rebuild the full-text search index of every searchable model."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from timeline import fulltext
from timeline.backup import refresh_statistics
from timeline.models import Event, Period, Person, Place, Source, Topic

MODELS = (Topic, Period, Place, Person, Event, Source)


class Command(BaseCommand):
    help = (
        "Rebuild the search index (FTS5 tables on SQLite, tsvector columns on PostgreSQL) "
        "from the rows. Saves keep it in step; run this after bulk_create(), which sends "
        "no signals, after a raw SQL import, or once after migrating an existing database. "
        "It also has the database measure its tables for the query planner."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        # Measured first as well: after a bulk load the planner has no statistics, and
        # guessing a few published people it joined every event to all of them (over
        # 18 minutes at 100,000 events on PostgreSQL, whose autovacuum may be late or
        # off; 21 s once measured).
        refresh_statistics(database)
        with transaction.atomic(using=database):
            for model in MODELS:
                # Emptied first, so entries of rows deleted without signals go too.
                fulltext.clear(model, database)
                model.objects.using(database).reindex()
                if options["verbosity"]:
                    count = model.objects.using(database).count()
                    self.stdout.write(f"Indexed {count} {model._meta.verbose_name_plural}.")
        # And again, for the index just written (the search column's word statistics),
        # clearing the old copy of every row: until autovacuum does, each was still
        # read (a misspelling's search took 62 ms at 100,000 events, 40 ms after).
        refresh_statistics(database, vacuum=True)
