"""Events on the timeline and the people who took part in them."""

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse

from timeline import dates
from timeline.models.base import (
    DatedModel,
    SearchableModel,
    SlugModel,
    SlugQuerySet,
    search_words,
)
from timeline.models.content import Period, Person, Place, descendant_slugs

SEQUENCE = ("date_earliest", "date_latest", "time", "title", "pk")


def chronological_order(reverse=False):
    """Return the ordering of events in time; an untimed event opens its day."""
    time = F("time").desc(nulls_last=True) if reverse else F("time").asc(nulls_first=True)
    fields = [F(field).desc() if reverse else F(field).asc() for field in SEQUENCE]
    fields[SEQUENCE.index("time")] = time
    return fields


def sequence_beyond(event, later):
    """Return a condition for the events after (or before) this one in chronological order.

    The order compares SEQUENCE field by field, with an empty time of day first.
    """
    condition, equal = Q(pk__in=[]), Q()
    for field in SEQUENCE:
        value = getattr(event, field)
        if field == "time" and value is None:
            beyond = Q(time__isnull=False) if later else Q(pk__in=[])
            same = Q(time__isnull=True)
        else:
            beyond = Q(**{f"{field}__{'gt' if later else 'lt'}": value})
            if field == "time" and not later:
                beyond |= Q(time__isnull=True)
            same = Q(**{field: value})
        condition |= equal & beyond
        equal &= same
    return condition


def _match(field, value):
    """Return a lookup for a model object, or for the object with this slug."""
    return {f"{field}__slug": value} if isinstance(value, str) else {field: value}


class EventQuerySet(SlugQuerySet):
    def published(self):
        return self.filter(status=Event.Status.PUBLISHED)

    def chronological(self, reverse=False):
        """Return the events in time: by day, then time of day (untimed first), then title."""
        return self.order_by(*chronological_order(reverse))

    def by_period(self, reverse=False):
        """Return the events in their periods' order, and in time within each period."""
        periods = [
            F(field).desc(nulls_last=True) if reverse else F(field).asc(nulls_last=True)
            for field in ("period__order", "period__date_earliest")
        ]
        return self.order_by(*periods, *chronological_order(reverse))

    def before(self, event):
        """Return the events before this one in time, nearest first."""
        return self.filter(sequence_beyond(event, later=False)).chronological(reverse=True)

    def after(self, event):
        """Return the events after this one in time, nearest first."""
        return self.filter(sequence_beyond(event, later=True)).chronological()

    def in_period(self, period):
        """Return the events of a period and of every period inside it."""
        periods = Period.objects.values_list("slug", "title", "parent__slug")
        return self.in_period_slugs(descendant_slugs(list(periods), period.slug))

    def in_period_slugs(self, slugs):
        """Return the events of the periods with these slugs."""
        return self.filter(period__slug__in=slugs)

    def overlapping(self, start=None, end=None):
        """Return the events whose possible span overlaps the days from start to end."""
        queryset = self
        if start is not None:
            queryset = queryset.filter(date_latest__gte=start)
        if end is not None:
            queryset = queryset.filter(date_earliest__lte=end)
        return queryset

    def involving(self, person):
        """Return the events a person (or the person with this slug) took part in."""
        return self.filter(
            Exists(Participation.objects.filter(event=OuterRef("pk"), **_match("person", person)))
        )

    def at_place(self, place):
        """Return the events at a place (or the place with this slug)."""
        through = Event.places.through.objects
        return self.filter(Exists(through.filter(event=OuterRef("pk"), **_match("place", place))))

    def of_kind(self, kinds):
        """Return the events of any of the given kinds (objects or slugs)."""
        kinds = kinds if isinstance(kinds, list | tuple | set) else [kinds]
        slugs = [kind if isinstance(kind, str) else kind.slug for kind in kinds]
        through = Event.kinds.through.objects
        return self.filter(Exists(through.filter(event=OuterRef("pk"), eventkind__slug__in=slugs)))

    def citing(self, source):
        """Return the events citing a source, or a document known through it."""
        from timeline.models.sources import Citation

        if isinstance(source, str):
            cited = Q(source__slug=source) | Q(source__known_through__slug=source)
        else:
            cited = Q(source=source) | Q(source__known_through=source)
        return self.filter(Exists(Citation.objects.filter(cited, event=OuterRef("pk"))))

    def search(self, text):
        """Return the events whose text, people or places contain every word of text.

        Case and accents are ignored: "karolyi" finds "Károlyi".
        """
        queryset = self
        for word in search_words(text):
            queryset = queryset.filter(
                Q(search_text__contains=word)
                | Exists(
                    Participation.objects.filter(
                        event=OuterRef("pk"), person__search_text__contains=word
                    )
                )
                | Exists(
                    Event.places.through.objects.filter(
                        event=OuterRef("pk"), place__search_text__contains=word
                    )
                )
            )
        return queryset

    def with_related(self):
        """Fetch what a timeline row shows in a fixed number of queries."""
        return self.select_related("period").prefetch_related(
            "places",
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("person"),
            ),
        )


class Event(SlugModel, SearchableModel, DatedModel):
    """Something that happened, placed in time, with its people, places and sources."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    time = models.TimeField(
        "time of day",
        null=True,
        blank=True,
        help_text="Only where a source gives it, as 03:00 (local time).",
    )
    period = models.ForeignKey(
        Period,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    places = models.ManyToManyField(Place, blank=True, related_name="events")
    participants = models.ManyToManyField(
        Person, through="Participation", blank=True, related_name="events"
    )
    kinds = models.ManyToManyField("timeline.EventKind", blank=True, related_name="events")
    summary = models.TextField(help_text="One or two sentences for the timeline.")
    body = models.TextField(
        blank=True,
        help_text="The full account. Blank lines separate paragraphs; type [^key] after "
        "a sentence to cite it.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    featured = models.BooleanField(
        default=False, help_text="Show among the key events on the home page."
    )

    objects = EventQuerySet.as_manager()

    class Meta(DatedModel.Meta):
        ordering = chronological_order()

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:event-detail", kwargs={"slug": self.slug})

    def searchable_parts(self):
        return (self.title, self.summary, self.body, self.date, self.date_reading)

    @property
    def date_text(self):
        """Return the date as a reader reads it, with the time of day if known."""
        return dates.with_time(self.date_reading, self.time)

    @property
    def datetime_iso(self):
        """Return the <time datetime> value, with the time of day if the day is known."""
        iso = self.date_iso
        if self.time and len(iso) == 10:
            return f"{iso}T{self.time:%H:%M}"
        return iso


class ParticipationQuerySet(models.QuerySet):
    def get_by_natural_key(self, event_slug, person_slug):
        return self.get(event__slug=event_slug, person__slug=person_slug)


class Participation(models.Model):
    """A person's part in one event, with the role they had in it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(
        max_length=200,
        blank=True,
        help_text="Their part in this event: “commander of the operation”.",
    )
    order = models.PositiveIntegerField(default=0)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ("order", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"], name="participation_once_per_event"
            ),
        ]

    def __str__(self):
        return f"{self.person} in {self.event}"

    def natural_key(self):
        return (*self.event.natural_key(), *self.person.natural_key())

    natural_key.dependencies = ["timeline.event", "timeline.person"]
