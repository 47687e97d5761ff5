"""Where claims come from: sources, and citations of them at a locator."""

from collections import Counter

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q

from timeline import csl, dates
from timeline.models.base import SearchableModel, SearchQuerySet, SlugModel, validate_edtf
from timeline.models.publication import (
    PublicationQuerySet,
    Publishable,
    can_preview,
    publication_permissions,
)

CITATION_TARGETS = ("topic", "period", "event", "person", "place")


class NamesFormField(forms.CharField):
    """Names typed one a line ("Family, Given", or a literal name) and kept as CSL names."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(csl.name_line(name) for name in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return csl.parse_names(value)

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or [])
        except ValidationError:
            return True


class NamesField(models.JSONField):
    """A list of CSL name objects, edited as one name a line."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("validators", [csl.validate_names])
        super().__init__(*args, **kwargs)

    def text_of(self, value):
        """Return stored names as the lines an editor types."""
        return NamesFormField().prepare_value(value or [])

    def formfield(self, **kwargs):
        defaults = {"form_class": NamesFormField, "required": not self.blank}
        defaults.update(kwargs)
        # JSONField's own formfield forces its JSON form class; skip it for the text one.
        return models.Field.formfield(self, **defaults)


NAMES_HELP = (
    "One name a line: a person as “Family, Given” (“Wilson, Woodrow”); an organisation "
    "or a name to print as it is without a comma (“Wikipedia contributors”), or after "
    "“=” if it has commas (“=Smith, Elder & Co.”)."
)


class SourceQuerySet(PublicationQuerySet, SearchQuerySet):
    def with_related(self):
        return self.select_related("known_through")

    def with_citation_count(self):
        """Annotate each source with its citations that a reader can see (for a page of rows)."""
        from timeline.models.content import count_of

        cited = Citation.objects.filter(public_citation(), source=OuterRef("pk"))
        return self.annotate(citation_count=count_of(cited))

    def citation_counts(self, sources):
        """Set citation_count on each source: its citations that a reader can see."""
        from timeline.models.content import with_counts

        return with_counts(
            sources, "source-citation-counts", self.count_all_citations, "citation_count"
        )

    def count_all_citations(self):
        """Return every source's citations that a reader can see.

        All of a source's citations, counted from the source index alone, less those
        on unpublished targets, found from the few unpublished rows: asking each of
        200,000 citations whether its target is published took over a second.
        """
        counts = Counter()
        cited = Citation.objects.filter(source__status="published").order_by().values("source")
        counts.update({row["source"]: row["count"] for row in cited.annotate(count=Count("pk"))})
        unpublished = [status for status in Publishable.Status if status != "published"]
        # One query for every kind of target, and counted here, not grouped by the
        # database: to group, SQLite's planner walked all citations in source order
        # instead of the few hidden ones.
        hidden = [
            Citation.objects.filter(**{f"{target}__status__in": unpublished})
            .order_by()
            .values_list("source")
            for target in CITATION_TARGETS
            if target != "topic"  # a topic has no workflow; it is always public
        ]
        hidden = hidden[0].union(*hidden[1:], all=True)
        counts.subtract(source for (source,) in hidden if source in counts)
        return {source: count for source, count in counts.items() if count}

    def in_index_order(self):
        """Return the sources read directly first, then each document under its teller."""
        return self.order_by(F("known_through__title").asc(nulls_first=True), "title")


class Source(SlugModel, SearchableModel, Publishable):
    """A work the site cites, described with the fields of CSL-JSON."""

    detail_url_name = "timeline:source-detail"

    class Type(models.TextChoices):
        # Values are CSL item types, so the record exports as CSL-JSON unchanged.
        ENCYCLOPEDIA_ENTRY = "entry-encyclopedia", "Encyclopedia entry"
        WEBPAGE = "webpage", "Web page"
        BOOK = "book", "Book"
        CHAPTER = "chapter", "Book chapter"
        ARTICLE = "article-journal", "Journal article"
        DOCUMENT = "document", "Document"
        REPORT = "report", "Report"
        SPEECH = "speech", "Speech or address"
        TREATY = "treaty", "Treaty or agreement"
        INTERVIEW = "interview", "Interview or personal account"
        MANUSCRIPT = "manuscript", "Manuscript"
        DATASET = "dataset", "Dataset"

    csl_type = models.CharField("type", max_length=30, choices=Type.choices, default=Type.DOCUMENT)
    title = models.CharField(max_length=300)
    authors = NamesField(help_text=NAMES_HELP)
    editors = NamesField(help_text=NAMES_HELP)
    names_text = models.TextField(
        editable=False,
        blank=True,
        default="",
        help_text="The authors' and editors' names as a reader writes them, for search.",
    )
    container_title = models.CharField(
        max_length=300,
        blank=True,
        help_text="The work this one is part of: a journal, an encyclopedia, a book.",
    )
    publisher = models.CharField(max_length=200, blank=True)
    publisher_place = models.CharField(
        "place of publication", max_length=200, blank=True, help_text="“Budapest”, “London”."
    )
    page = models.CharField(
        "pages",
        max_length=50,
        blank=True,
        help_text="The pages of a chapter or an article within its container: “123–145”.",
    )
    version = models.CharField(
        "revision or version",
        max_length=100,
        blank=True,
        help_text="The edition, version or revision read, as the source names it "
        "(a wiki page's revision id).",
    )
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(
                r"^10\.\d{4,9}/\S+$",
                "A DOI starts with “10.”, a number, a slash: “10.1000/xyz123”, without "
                "“https://doi.org/”.",
            )
        ],
    )
    issued = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_edtf],
        help_text="When it was issued, as EDTF (1956-11-11, 1919-02, 1944~). "
        "Leave empty if no source says.",
    )
    url = models.URLField("URL", max_length=500, blank=True)
    accessed = models.DateField(null=True, blank=True, help_text="When the URL was last read.")
    licence = models.CharField(max_length=100, blank=True)
    licence_url = models.URLField("licence URL", blank=True)
    attribution = models.TextField(
        blank=True,
        help_text="The credit the licence asks for, shown wherever it is used.",
    )
    known_through = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents_named",
        help_text="The source that tells of this one, when it has not been read itself "
        "(a report known only from an article that names it).",
    )
    known_through_locator = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where in that source it is named, e.g. “section: After the Hungarian "
        "Revolution”.",
    )
    note = models.TextField(blank=True)
    text = models.TextField(
        blank=True,
        help_text="The source's full text, where the site holds a copy; citations' "
        "quotations are checked against it word for word.",
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ("title",)
        permissions = publication_permissions("source")
        constraints = [
            models.CheckConstraint(
                condition=~Q(known_through=F("pk")),
                name="source_not_known_through_itself",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.known_through_id and self.known_through_id == self.pk:
            raise ValidationError({"known_through": "A source cannot be known through itself."})

    search_weights = {
        "A": ("title",),
        "B": ("names_text",),
        "C": ("container_title", "publisher"),
    }

    def searchable_parts(self):
        return (self.title, self.names_text, self.container_title, self.publisher)

    def refresh_search_text(self):
        # Called before every save, raw ones included, so fixtures get their names too.
        names = [*(self.authors or []), *(self.editors or [])]
        self.names_text = "; ".join(csl.display_name(name, inverted=False) for name in names)
        super().refresh_search_text()

    @property
    def author_list(self):
        return [csl.display_name(name) for name in self.authors or []]

    @property
    def editor_list(self):
        return [csl.display_name(name) for name in self.editors or []]

    @property
    def issued_reading(self):
        return dates.parse(self.issued).reading if self.issued else ""


def located_citation():
    """Return a condition for citations that say where in their source the claim stands.

    A document known only through another source has no place of its own to point
    to; where the other source names it (known_through_locator) stands in for one.
    """
    return ~Q(locator="") | (
        Q(source__known_through__isnull=False) & ~Q(source__known_through_locator="")
    )


def public_citation(prefix=""):
    """Return a condition for citations a reader may see: a published source and target."""
    condition = Q(**{f"{prefix}source__status": "published"})
    for target in CITATION_TARGETS:
        if target != "topic":  # a topic has no workflow; it is always public
            condition &= Q(**{f"{prefix}{target}__isnull": True}) | Q(
                **{f"{prefix}{target}__status": "published"}
            )
    return condition


class CitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, key):
        return self.get(key=key)

    def public(self):
        return self.filter(public_citation())

    def visible_to(self, user):
        """Return every citation for someone who may preview drafts, else the public ones."""
        return self if can_preview(user) else self.public()

    def with_related(self):
        return self.select_related("source", "source__known_through")

    def with_targets(self):
        return self.select_related(*CITATION_TARGETS)

    def by_locator(self):
        """Return the citations grouped by where in the source they point."""
        return self.order_by("locator_label", "locator", "order", "pk")


class Citation(models.Model):
    """One use of a source at one locator, in support of one thing on the site."""

    class Locator(models.TextChoices):
        SECTION = "section", "section"
        PARAGRAPH = "paragraph", "paragraph"
        PAGE = "page", "page"
        CHAPTER = "chapter", "chapter"
        FOLIO = "folio", "folio"
        LINE = "line", "line"
        RECORD = "record", "record"

    key = models.SlugField(
        max_length=120,
        unique=True,
        blank=True,
        help_text="A short unique name; type [^key] in a text to place this note there. "
        "Left empty, one is made from what the citation supports.",
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="citations",
        error_messages={"null": "Choose the source this citation rests on."},
    )
    locator_label = models.CharField(
        "locator type", max_length=20, choices=Locator.choices, default=Locator.SECTION
    )
    locator = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where in the source: a section name, page number (“12–14”), paragraph.",
    )
    quotation = models.TextField(
        blank=True, help_text="The exact words of the source that the claim rests on."
    )
    note = models.TextField(
        blank=True,
        help_text="An editorial note: how the source was read, or what was corrected.",
    )
    order = models.PositiveIntegerField(default=0)
    topic = models.ForeignKey(
        "timeline.Topic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    period = models.ForeignKey(
        "timeline.Period",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    event = models.ForeignKey(
        "timeline.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    person = models.ForeignKey(
        "timeline.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    place = models.ForeignKey(
        "timeline.Place",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ("order", "pk")
        # A page's notes in their order, for each kind of target. Partial, because each
        # target column is empty in most rows: measured whole, SQLite's planner judged the
        # topic's index worse than reading all 40,000 citations.
        indexes = [
            models.Index(
                fields=[target, "order"],
                condition=Q(**{f"{target}__isnull": False}),
                name=f"citation_{target}_order",
            )
            for target in CITATION_TARGETS
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    *[
                        Q(**{f"{other}__isnull": other != target for other in CITATION_TARGETS})
                        for target in CITATION_TARGETS
                    ],
                    _connector=Q.OR,
                ),
                name="citation_has_exactly_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.source} ({self.locator_text})" if self.locator else str(self.source)

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = self.make_key()
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.key,)

    def clean(self):
        super().clean()
        if len(self.target_names()) != 1:
            raise ValidationError(
                "A citation supports exactly one thing: a topic, period, event, person or place."
            )

    @property
    def is_located(self):
        """Return whether the citation says where in its source it stands (see
        located_citation(), the same rule as a query)."""
        source = self.source if self.source_id else None
        return bool(self.locator) or bool(
            source and source.known_through_id and source.known_through_locator
        )

    @property
    def locator_text(self):
        return f"{self.get_locator_label_display()} {self.locator}" if self.locator else ""

    def target_names(self):
        """Return the names of the target fields that are set.

        An inline form on an unsaved page holds its target as an unsaved object,
        not yet as an id, so both count.
        """
        return [
            name
            for name in CITATION_TARGETS
            if getattr(self, f"{name}_id") is not None
            or (self._meta.get_field(name).is_cached(self) and getattr(self, name))
        ]

    @property
    def target(self):
        names = self.target_names()
        return getattr(self, names[0]) if names else None

    def make_key(self):
        """Return an unused key made from the target's slug: "operation-whirlwind-3"."""
        target = self.target
        stem = (target.slug if target is not None else self.source.slug)[:100]
        taken = set(Citation.objects.filter(key__startswith=stem).values_list("key", flat=True))
        number = 1
        while f"{stem}-{number}" in taken:
            number += 1
        return f"{stem}-{number}"
