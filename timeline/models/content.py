"""What the history is about: topics, periods, places, people and kinds of event."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse

from timeline.models.base import (
    DatedModel,
    SearchableModel,
    SearchQuerySet,
    SlugModel,
    SlugQuerySet,
    validate_edtf,
)
from timeline.text import lines


class Topic(SlugModel, SearchableModel):
    """A subject the site covers, with its lead paragraph and related reading."""

    title = models.CharField(max_length=200)
    lead = models.TextField(
        help_text="The opening paragraph. Type [^key] after a sentence to cite it."
    )
    see_also = models.TextField(
        blank=True, help_text="Related subjects for further reading, one a line."
    )

    objects = SearchQuerySet.as_manager()

    class Meta:
        ordering = ("title",)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:home")

    def searchable_parts(self):
        return (self.title, self.lead)

    @property
    def see_also_list(self):
        return lines(self.see_also)


def descendant_slugs(periods, slug):
    """Return the slug of a period and of every period inside it, at any depth.

    periods is a list of (slug, title, parent slug) rows, as the filters load them.
    """
    found, queue = [], [slug]
    while queue:
        current = queue.pop()
        if current not in found:
            found.append(current)
            queue.extend(child for child, _, parent in periods if parent == current)
    return found


class EventCountQuerySet(SearchQuerySet):
    event_relation = "events"

    def with_event_count(self):
        """Annotate each row with the number of its published events."""
        status = f"{self.event_relation}__status"
        return self.annotate(
            event_count=Count(self.event_relation, filter=Q(**{status: "published"}))
        )


class PeriodQuerySet(EventCountQuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def with_related(self):
        return self.select_related("parent")


class Period(SlugModel, SearchableModel, DatedModel):
    """A stretch of the history with a narrative of its own, such as the Horthy era."""

    title = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The period this one sits inside (World War II inside the Horthy era).",
    )
    summary = models.TextField(help_text="One or two sentences for lists and previews.")
    body = models.TextField(
        blank=True,
        help_text="The narrative. Blank lines separate paragraphs; type [^key] after a "
        "sentence to cite it.",
    )
    order = models.PositiveIntegerField(
        default=0, help_text="Position among its sibling periods, lowest first."
    )

    objects = PeriodQuerySet.as_manager()

    class Meta(DatedModel.Meta):
        ordering = ("order", "date_earliest", "title")
        constraints = [
            *DatedModel.Meta.constraints,
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="period_not_inside_itself"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:period-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = {}
        ancestor = self.parent
        seen = set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                errors["parent"] = ["A period cannot sit inside itself or its own part."]
                break
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
        if errors:
            raise ValidationError(errors)

    def searchable_parts(self):
        return (self.title, self.summary, self.body)


class Place(SlugModel, SearchableModel):
    """A place where something happened, under every name it has had."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "country"
        REGION = "region", "region"
        CITY = "city", "city"
        TOWN = "town", "town"
        DISTRICT = "district", "district of a city"
        ISLAND = "island", "island"
        RIVER = "river", "river"
        ROAD = "road", "road or street"
        BUILDING = "building", "building"

    name = models.CharField(max_length=200)
    other_names = models.TextField(
        blank=True,
        help_text="Other names and spellings, one a line (Ungvár, Uzhhorod).",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CITY)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The place this one lies in.",
    )
    description = models.TextField(blank=True)

    objects = EventCountQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="place_not_inside_itself"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("timeline:place-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": "A place cannot lie inside itself."})

    def searchable_parts(self):
        return (self.name, self.other_names, self.description)

    @property
    def other_name_list(self):
        return lines(self.other_names)


class PersonQuerySet(EventCountQuerySet):
    event_relation = "participations__event"

    def with_event_count(self):
        return self.annotate(
            event_count=Count("participations", filter=Q(participations__event__status="published"))
        )

    def featured(self):
        return self.filter(featured=True)


class Person(SlugModel, SearchableModel):
    """Someone who took part in the history, named as the sources name them."""

    name = models.CharField(max_length=200, help_text="The name in English order: “Béla Kun”.")
    native_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The name in its own language, script and order, where it differs: “Kun Béla”.",
    )
    sort_name = models.CharField(
        max_length=200, help_text="The name as it sorts in an index: “Kun, Béla”."
    )
    titles = models.TextField(
        blank=True,
        help_text="Titles and offices the sources give, one a line (Regent of Hungary, "
        "KGB Chairman).",
    )
    biography = models.TextField(blank=True)
    born = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_edtf],
        help_text="EDTF, only where a source gives it.",
    )
    died = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_edtf],
        help_text="EDTF, only where a source gives it.",
    )
    featured = models.BooleanField(
        default=False, help_text="Show among the key people on the home page."
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ("sort_name", "name")
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("timeline:person-detail", kwargs={"slug": self.slug})

    def searchable_parts(self):
        return (self.name, self.native_name, self.titles, self.biography)

    @property
    def title_list(self):
        return lines(self.titles)


class EventKind(SlugModel):
    """A kind of event (military, diplomatic, deportation) for filtering the timeline."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    objects = SlugQuerySet.as_manager()

    class Meta:
        ordering = ("name",)

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("timeline:event-list") + f"?kind={self.slug}"
