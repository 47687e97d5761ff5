"""Events on the timeline and the people who took part in them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery

from timeline import dates
from timeline.fulltext import JoinedText
from timeline.models.base import (
    DatedModel,
    SearchableModel,
    SearchQuerySet,
    SlugModel,
)
from timeline.models.content import Period, Person, Place, count_of
from timeline.models.publication import (
    PublicationQuerySet,
    Publishable,
    can_preview,
    publication_permissions,
)

# The one chronological order: by day, then time of day (an untimed event opens its
# day: its time key is -1), then title. Every column is NOT NULL, so one index
# serves the order, both directions, on every database.
SEQUENCE = ("date_earliest", "date_latest", "time_key", "title", "pk")
UNTIMED = -1
CITATION_NEEDED = (
    "An event is published only with at least one citation that says where in its source "
    "the claim stands (a locator: a section, page or paragraph)."
)
NO_PERIOD = 2**31 - 1


def chronological_order(reverse=False):
    """Return the ordering of events in time."""
    return [F(field).desc() if reverse else F(field).asc() for field in SEQUENCE]


def sequence_beyond(event, later):
    """Return a condition for the events after (or before) this one in chronological order.

    The condition compares SEQUENCE field by field. It repeats the first field as
    a plain bound, so an index on the order can start at the event and read on
    from there instead of testing every row.
    """
    operator = "gt" if later else "lt"
    condition, equal = Q(pk__in=[]), Q()
    for field in SEQUENCE:
        value = getattr(event, field)
        condition |= equal & Q(**{f"{field}__{operator}": value})
        equal &= Q(**{field: value})
    first = SEQUENCE[0]
    bound = Q(**{f"{first}__{operator}e": getattr(event, first)})
    return bound & condition


def _match(field, value):
    """Return a lookup for a model object, or for the object with this slug."""
    return {f"{field}__slug": value} if isinstance(value, str) else {field: value}


class EventQuerySet(PublicationQuerySet, SearchQuerySet):
    def chronological(self, reverse=False):
        """Return the events in time: by day, then time of day (untimed first), then title."""
        return self.order_by(*chronological_order(reverse))

    def by_period(self, reverse=False):
        """Return the events in their periods' order, and in time within each period."""
        period = F("period_position").desc() if reverse else F("period_position").asc()
        return self.order_by(period, *chronological_order(reverse))

    def by_title(self):
        return self.order_by("title", "date_earliest", "pk")

    def before(self, event):
        """Return the events before this one in time, nearest first."""
        return self.filter(sequence_beyond(event, later=False)).chronological(reverse=True)

    def after(self, event):
        """Return the events after this one in time, nearest first."""
        return self.filter(sequence_beyond(event, later=True)).chronological()

    def in_period(self, period):
        """Return the events of a period (an object, slug or path) and of every period in it."""
        # By the copy of the period's position that the timeline's order index leads
        # with, so the matching events come from that index already in order. The few
        # positions are read first, so each planner sees constants it can estimate.
        positions = list(Period.objects.within(period).values_list("position", flat=True))
        return self.filter(period_position__in=positions)

    def featured(self):
        return self.filter(featured=True)

    def of_topic(self, topic):
        """Return the events in the periods of a topic."""
        return self.filter(period__topic=topic)

    def key_events(self, topic, user=None):
        """Return a topic's featured events a reader may see, in time, for its page."""
        events = self.visible_to(user).featured().of_topic(topic).chronological()
        return events.select_related("period")

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

    def with_role_of(self, person):
        """Annotate each event with the role a person had in it (role, blank if none given)."""
        roles = Participation.objects.filter(event=OuterRef("pk"), **_match("person", person))
        return self.annotate(role=Subquery(roles.values("role")[:1]))

    def at_place(self, place):
        """Return the events at a place (an object, slug or path) or at any place inside it."""
        through = Event.places.through.objects.filter(
            event=OuterRef("pk"), place__tree_path__startswith=Place.objects.path_of(place)
        )
        return self.filter(Exists(through))

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

    def with_citation_count(self):
        """Annotate each event with its citations that a reader can see."""
        from timeline.models.sources import Citation, public_citation

        cited = Citation.objects.filter(public_citation(), event=OuterRef("pk"))
        return self.annotate(citation_count=count_of(cited))

    def with_related(self, user=None):
        """Fetch what a timeline row shows in a fixed number of queries.

        Only the places and people a reader may see come along; a signed-in editor
        (user) sees drafts too.
        """
        return self.select_related("period").prefetch_related(*row_prefetches(user))


def row_prefetches(user=None):
    """Return the lookups that fetch a timeline row's places and people for a reader."""
    participations = Participation.objects.select_related("person")
    if not can_preview(user):
        # A condition on the joined row: "person in (published people)" made SQLite
        # read every participation of every published person, 40% of a page's time.
        participations = participations.filter(person__status=Person.Status.PUBLISHED)
    return [
        models.Prefetch("places", queryset=Place.objects.visible_to(user)),
        models.Prefetch("participations", queryset=participations),
    ]


class Event(SlugModel, SearchableModel, DatedModel, Publishable):
    """Something that happened, placed in time, with its people, places and sources."""

    detail_url_name = "timeline:event-detail"

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
    period_position = models.PositiveIntegerField(
        editable=False,
        default=NO_PERIOD,
        help_text="The period's place in the order of periods, copied here so that one "
        "index serves the timeline's period-first order.",
    )
    time_key = models.SmallIntegerField(
        editable=False,
        default=UNTIMED,
        help_text="Minutes into the day, or -1 without a time, for ordering.",
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
    featured = models.BooleanField(
        default=False, help_text="Show among the key events on the home page."
    )

    objects = EventQuerySet.as_manager()

    class Meta(DatedModel.Meta):
        ordering = chronological_order()
        permissions = publication_permissions("event")
        indexes = [
            *DatedModel.Meta.indexes,
            models.Index(
                fields=["status", "period_position", *SEQUENCE[:-1], "id"],
                name="event_timeline_order",
            ),
            models.Index(fields=["status", *SEQUENCE[:-1], "id"], name="event_chronology"),
            models.Index(
                fields=["status", "title", "date_earliest", "id"], name="event_title_order"
            ),
            # The few key events, in time: partial, so that SQLite's planner, which
            # measures a yes/no column as matching half the rows, never prefers walking
            # every published event in chronological order to find them.
            models.Index(
                fields=["status", *SEQUENCE[:-1], "id"],
                condition=Q(featured=True),
                name="event_featured",
            ),
            # The feed of new and changed events reads the latest changes first.
            models.Index(fields=["status", "modified_at", "id"], name="event_recent_changes"),
        ]
        constraints = [
            *DatedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(time__isnull=True) | Q(date_earliest=F("date_latest")),
                name="event_time_only_on_a_day",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.time is None:
            return
        try:
            parsed = dates.parse(self.date)
        except ValidationError:
            return  # the date field itself says what is wrong with it
        if parsed.earliest != parsed.latest:
            raise ValidationError(
                {
                    "time": f"Only a single day can have a time of day; “{parsed.reading}” is "
                    "not one day. Give the day, or leave the time empty."
                }
            )

    search_weights = {"A": ("title",), "B": ("summary",), "C": ("body",), "D": ("date",)}

    def publication_problems(self):
        from timeline.models.sources import located_citation

        if self.pk is None or not self.citations.filter(located_citation()).exists():
            return [CITATION_NEEDED]
        return []

    def searchable_parts(self):
        return (self.title, self.summary, self.body, self.date, self.date_reading)

    def refresh_order_keys(self):
        """Copy the time of day and the period's position into the ordering columns."""
        self.time_key = UNTIMED if self.time is None else self.time.hour * 60 + self.time.minute
        if self.period_id is None:
            self.period_position = NO_PERIOD
        elif Event.period.is_cached(self) and self.period.position:
            self.period_position = self.period.position
        else:
            position = Period.objects.filter(pk=self.period_id).values_list("position", flat=True)
            self.period_position = position.first() or NO_PERIOD

    @classmethod
    def search_related_text(cls):
        """Return the names of an event's published people and places, indexed with weight D.

        A draft person's name must not make a published event findable by it.
        """
        people = Participation.objects.filter(event=OuterRef("pk"), person__status="published")
        places = Event.places.through.objects.filter(
            event=OuterRef("pk"), place__status="published"
        )
        people, places = people.values("event"), places.values("event")
        return {
            "D": [
                Subquery(people.annotate(names=JoinedText("person__name")).values("names")),
                Subquery(places.annotate(names=JoinedText("place__name")).values("names")),
            ]
        }

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

    def search_index_rows(self):
        """Return the event's row, which indexes the person's name."""
        return [Event._base_manager.filter(pk=self.event_id)]
