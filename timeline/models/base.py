"""Pieces every timeline model shares: natural keys, EDTF dates, search text."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from timeline import dates
from timeline.text import fold


def validate_edtf(value):
    """Reject a value that is not a date the timeline can place."""
    dates.parse(value)


class SlugQuerySet(models.QuerySet):
    """A QuerySet whose rows are found by slug when fixtures are loaded."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


MAX_SEARCH_WORDS = 8


def search_words(text):
    """Return the folded words of a search, at most MAX_SEARCH_WORDS of them."""
    return fold(text).split()[:MAX_SEARCH_WORDS]


class SearchQuerySet(SlugQuerySet):
    """A QuerySet of rows with folded search text."""

    def search(self, text):
        """Return the rows whose text contains every word, ignoring case and accents."""
        return self.filter(*(Q(search_text__contains=word) for word in search_words(text)))


class SlugModel(models.Model):
    """A model identified in URLs and fixtures by its slug."""

    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="The name in the page address; lower case, hyphens, no spaces.",
    )

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.slug,)


class SearchableModel(models.Model):
    """A model that keeps a folded copy of its text for accent-blind search."""

    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        abstract = True

    def searchable_parts(self):
        raise NotImplementedError

    def refresh_search_text(self):
        self.search_text = fold(" ".join(part for part in self.searchable_parts() if part))


class DatedModel(models.Model):
    """A model placed in time by an EDTF value and its earliest and latest day."""

    date = models.CharField(max_length=100, validators=[validate_edtf], help_text=dates.EDTF_HELP)
    date_earliest = models.DateField(
        editable=False, help_text="The earliest day the date can mean."
    )
    date_latest = models.DateField(editable=False, help_text="The latest day the date can mean.")

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["date_earliest", "date_latest"], name="%(class)s_date_bounds"),
            models.Index(fields=["date_latest"], name="%(class)s_date_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_latest__gte=F("date_earliest")),
                name="%(class)s_date_ends_after_start",
            ),
        ]

    @property
    def historical_date(self):
        return dates.parse(self.date)

    @property
    def date_reading(self):
        try:
            return self.historical_date.reading
        except ValidationError:
            return self.date

    @property
    def year(self):
        """Return the year the date names first ("1934~" gives 1934), for grouping."""
        head = self.date[:4]
        return int(head) if head.isascii() and head.isdigit() else self.date_earliest.year

    @property
    def date_iso(self):
        return dates.machine_readable(self.date)

    def refresh_date_bounds(self):
        """Set the earliest and latest day from the EDTF value, if it parses."""
        try:
            parsed = dates.parse(self.date)
        except ValidationError:
            return
        self.date_earliest, self.date_latest = parsed.earliest, parsed.latest


def refresh_derived_fields(sender, instance, **kwargs):
    """Recompute date bounds and search text before any save, raw ones included."""
    if isinstance(instance, DatedModel):
        instance.refresh_date_bounds()
    if isinstance(instance, SearchableModel):
        instance.refresh_search_text()
