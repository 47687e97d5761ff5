"""Pieces every timeline model shares: natural keys, EDTF dates, search text."""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import class_prepared
from django.urls import get_script_prefix, get_urlconf, reverse

from timeline import dates, fulltext
from timeline.text import fold


def validate_edtf(value):
    """Reject a value that is not a date the timeline can place."""
    dates.parse(value)


class SlugQuerySet(models.QuerySet):
    """A QuerySet whose rows are found by slug when fixtures are loaded."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


MAX_SEARCH_WORDS = fulltext.MAX_SEARCH_WORDS


def search_words(text):
    """Return the folded words of a search, at most MAX_SEARCH_WORDS of them."""
    return fold(text).split()[:MAX_SEARCH_WORDS]


class SearchQuerySet(SlugQuerySet):
    """A QuerySet of rows in the database's full-text index (see timeline/fulltext.py)."""

    def search(self, text, names_only=False):
        """Return the rows in which every word starts a word, best match first.

        Case and accents are ignored: "karolyi" and "karol" find "Károlyi", "olyi"
        does not. With names_only, only the name or title is searched. A text
        without words leaves the rows as they are.
        """
        words = fulltext.terms(text)
        if words:
            return fulltext.search(self, words, names_only)
        # Punctuation alone ("--") has no word to look for, so it finds nothing.
        return self.none() if search_words(text) else self

    def with_snippets(self, text):
        """Annotate each found row with search_snippet, its passage best matching text.

        Call it after search(text).
        """
        return fulltext.with_snippets(self, fulltext.terms(text) or [""])

    def reindex(self):
        """Write these rows' search index entries afresh, as after bulk_create()."""
        fulltext.reindex(self)


class SlugModel(models.Model):
    """A model identified in URLs and fixtures by its slug."""

    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="The name in the page address; lower case, hyphens, no spaces.",
    )

    detail_url_name = None  # the route of the row's page, which takes its slug

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return slug_address(self.detail_url_name, self.slug)

    def natural_key(self):
        return (self.slug,)


SLUG = re.compile(r"[-a-zA-Z0-9_]+")
PLACEHOLDER = "--slug--"
ADDRESSES = {}


def slug_address(url_name, slug):
    """Return reverse(url_name, kwargs={"slug": slug}), reversed once per route.

    A list of fifty rows reversed fifty addresses, 25 µs each. A slug needs no
    quoting, so it is put into one reversed address; anything else goes to reverse(),
    which refuses what the route would not match.
    """
    if not SLUG.fullmatch(slug or ""):
        return reverse(url_name, kwargs={"slug": slug})
    key = (url_name, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    address = ADDRESSES.get(key)
    if address is None:
        address = ADDRESSES[key] = reverse(url_name, kwargs={"slug": PLACEHOLDER})
    return address.replace(PLACEHOLDER, slug)


class SearchableModel(models.Model):
    """A model whose rows are found by full-text search, and by a folded copy of its text."""

    search_text = models.TextField(editable=False, blank=True, default="")
    # Filled on PostgreSQL only; on SQLite the index is an FTS5 table beside the model's.
    # Derived on every save, so dumps leave it out.
    search_vector = SearchVectorField(null=True, editable=False, serialize=False)

    # The fields indexed for search, by weight: A ranks highest. The first A field is
    # also the name a misspelling is compared with (trigram index, PostgreSQL).
    search_weights = {"A": ("title",), "B": ("summary",), "C": ("body",)}

    class Meta:
        abstract = True

    def searchable_parts(self):
        raise NotImplementedError

    def refresh_search_text(self):
        self.search_text = fold(" ".join(part for part in self.searchable_parts() if part))

    @classmethod
    def search_related_text(cls):
        """Return text from related rows to index with each row, as expressions by weight."""
        return {}

    def search_index_rows(self):
        """Return the querysets whose index entries include this row's text."""
        return [type(self)._base_manager.filter(pk=self.pk)]


class DatedModel(models.Model):
    """A model placed in time by an EDTF value and its earliest and latest day."""

    date = models.CharField(max_length=100, validators=[validate_edtf], help_text=dates.EDTF_HELP)
    date_earliest = models.DateField(
        editable=False, help_text="The earliest day the date can mean."
    )
    date_latest = models.DateField(editable=False, help_text="The latest day the date can mean.")
    date_reading = models.CharField(
        max_length=200,
        editable=False,
        blank=True,
        help_text="The date as a reader reads it, stored so that pages never parse EDTF.",
    )

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
    def year(self):
        """Return the year the date names first ("1934~" gives 1934), for grouping."""
        head = self.date[:4]
        return int(head) if head.isascii() and head.isdigit() else self.date_earliest.year

    @property
    def date_iso(self):
        return dates.machine_readable(self.date)

    def refresh_date_bounds(self):
        """Set the earliest and latest day and the reading from the EDTF value, if it parses."""
        try:
            parsed = dates.parse(self.date)
        except ValidationError:
            return
        self.date_earliest, self.date_latest = parsed.earliest, parsed.latest
        self.date_reading = parsed.reading


def refresh_derived_fields(sender, instance, **kwargs):
    """Recompute date bounds and search text before any save, raw ones included."""
    if isinstance(instance, DatedModel):
        instance.refresh_date_bounds()
    if isinstance(instance, SearchableModel):
        instance.refresh_search_text()
    if hasattr(instance, "refresh_order_keys"):
        instance.refresh_order_keys()
    if hasattr(instance, "refresh_publication_dates"):
        # A raw save (a fixture or a backup being loaded) keeps the stored times.
        instance.refresh_publication_dates(raw=kwargs.get("raw", False))


def refresh_search_index(sender, instance, raw=False, **kwargs):
    """Rewrite the index entries of a saved row and of the rows that index its text."""
    for queryset in getattr(instance, "search_index_rows", list)():
        fulltext.reindex(queryset)


def refresh_search_index_of_links(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Rewrite the index entries of rows whose many-to-many links changed."""
    if not action.startswith("post_"):
        return
    if reverse and pk_set:
        fulltext.reindex(model._base_manager.filter(pk__in=pk_set))
    else:
        refresh_search_index(sender, instance)


def forget_search_index(sender, instance, using, **kwargs):
    """Remove a deleted row from the index, and rewrite the rows that indexed its text."""
    if isinstance(instance, SearchableModel):
        fulltext.forget(sender, [instance.pk], using)
    else:
        refresh_search_index(sender, instance)


def add_search_entry(sender, **kwargs):
    """Give each searchable model its FTS5 table as a joinable model (used on SQLite)."""
    if issubclass(sender, SearchableModel) and not sender._meta.abstract:
        fulltext.add_search_entry(sender)


class_prepared.connect(add_search_entry, dispatch_uid="timeline-search-entry")
