"""What the history is about: topics, periods, places, people and kinds of event."""

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count, Exists, F, Func, Max, Min, OuterRef, Q, Subquery
from django.urls import reverse

from timeline.cache import cached
from timeline.citations import strip_markers
from timeline.models.base import (
    DatedModel,
    SearchableModel,
    SearchQuerySet,
    SlugModel,
    SlugQuerySet,
    validate_edtf,
)
from timeline.models.publication import (
    PublicationQuerySet,
    Publishable,
    publication_permissions,
)
from timeline.models.tree import TreeModel, TreeQuerySet
from timeline.text import lines


class TopicQuerySet(SearchQuerySet):
    def with_span(self):
        """Annotate each topic with the first and last day of its periods."""
        return self.annotate(
            span_start=Min("periods__date_earliest"), span_end=Max("periods__date_latest")
        )

    def default(self):
        """Return the topic the site opens on, with its span, or None before any content."""
        return (
            self.with_span()
            .select_related("attribution_source")
            .order_by("-is_default", "pk")
            .first()
        )


class Topic(SlugModel, SearchableModel):
    """A subject the site covers: its name, lead, licence, and the periods it spans."""

    title = models.CharField(max_length=200)
    subtitle = models.CharField(
        max_length=300, blank=True, help_text="One sentence under the title on the topic's page."
    )
    lead = models.TextField(
        help_text="The opening paragraph. Type [^key] after a sentence to cite it."
    )
    see_also = models.TextField(
        blank=True,
        help_text="Related subjects for further reading, one a line. A [^key] marker on any "
        "line cites the list as a whole.",
    )
    licence = models.CharField(
        max_length=100, blank=True, help_text="The licence the topic's text is shared under."
    )
    licence_url = models.URLField("licence URL", blank=True)
    attribution = models.TextField(
        blank=True,
        help_text="The credit the text's licence asks for, shown in every page's footer.",
    )
    attribution_source = models.ForeignKey(
        "timeline.Source",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The source the attribution names; the footer links to its page.",
    )
    is_default = models.BooleanField(
        "default topic", default=False, help_text="The topic the home page shows."
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ("title",)
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="topic_one_default"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.is_default:
            return reverse("timeline:home")
        return reverse("timeline:topic-detail", kwargs={"slug": self.slug})

    search_weights = {"A": ("title",), "B": ("subtitle",), "C": ("lead",)}

    def searchable_parts(self):
        return (self.title, self.subtitle, self.lead)

    @property
    def see_also_list(self):
        return lines(strip_markers(self.see_also))

    @property
    def span_years(self):
        """Return the first and last year of the topic's periods, or None without periods."""
        start, end = getattr(self, "span_start", None), getattr(self, "span_end", None)
        if start is None or end is None:
            return None
        return start.year, end.year

    @property
    def span_text(self):
        """Return the span as a reader writes it: "1919–1991"."""
        years = self.span_years
        if years is None:
            return ""
        start, end = years
        return str(start) if start == end else f"{start}–{end}"

    @property
    def heading(self):
        """Return the title with the span: "Hungary–Soviet Union relations, 1919–1991"."""
        return f"{self.title}, {self.span_text}" if self.span_text else self.title


def count_of(queryset):
    """Return a subquery that counts the rows of a correlated queryset."""
    return Subquery(
        queryset.order_by().annotate(count=Func(F("pk"), function="COUNT")).values("count"),
        output_field=models.IntegerField(),
    )


def with_counts(rows, name, count_all, attribute="event_count"):
    """Set a count (event_count) on each row of a page of a list from a site-wide count.

    The counts for every row are made in one query and kept until content changes,
    so every page of a list, and every list of the same rows, reads them from the cache.
    """
    rows = list(rows)
    counts = cached(name, count_all)
    for row in rows:
        setattr(row, attribute, counts.get(row.pk, 0))
    return rows


class PeriodQuerySet(PublicationQuerySet, TreeQuerySet, SearchQuerySet):
    def with_event_count(self):
        """Return the periods as a list, each with its published events, its sub-periods'
        included, in event_count."""
        return with_counts(self, "period-event-counts", self.count_all_events)

    def count_all_events(self):
        """Return every period's published events, its sub-periods' included.

        An event has one period, so one grouped count over the events' period index
        and a sum over each period's subtree give exact totals; a subquery per period
        would walk the events once for every period.
        """
        from timeline.models.events import Event

        per_period = dict(
            Event.objects.published()
            .order_by()
            .exclude(period=None)
            .values_list("period")
            .annotate(count=Count("pk"))
            .values_list("period", "count")
        )
        paths = dict(Period.objects.values_list("pk", "tree_path"))
        return {
            pk: sum(
                count
                for period, count in per_period.items()
                if paths.get(period, "").startswith(path)
            )
            for pk, path in paths.items()
        }

    def with_related(self):
        return self.select_related("parent")

    def renumber(self):
        """Store each period's position in the order of periods, and copy it to its events.

        Positions start at 1; the timeline orders events by the copy, so one index
        on the events serves its period-first order.
        """
        from timeline.models.events import NO_PERIOD, Event

        periods = list(self.model.objects.order_by("order", "date_earliest", "title", "pk"))
        changed = []
        for position, period in enumerate(periods, start=1):
            if period.position != position:
                period.position = position
                changed.append(period)
        self.model.objects.bulk_update(changed, ["position"])
        for period in changed:
            Event.objects.filter(period=period).update(period_position=period.position)
        Event.objects.filter(period__isnull=True).exclude(period_position=NO_PERIOD).update(
            period_position=NO_PERIOD
        )
        return len(changed)


class Period(SlugModel, SearchableModel, DatedModel, TreeModel, Publishable):
    """A stretch of the history with a narrative of its own, such as the Horthy era."""

    detail_url_name = "timeline:period-detail"

    title = models.CharField(max_length=200)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="periods",
        help_text="The subject this period belongs to; a sub-period takes its period's.",
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
    position = models.PositiveIntegerField(
        default=0, editable=False, help_text="Place in the order of all periods, from 1."
    )

    objects = PeriodQuerySet.as_manager()

    class Meta(DatedModel.Meta):
        ordering = ("order", "date_earliest", "title")
        permissions = publication_permissions("period")
        constraints = [*DatedModel.Meta.constraints, *TreeModel.Meta.constraints]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.topic_id is None and self.parent is not None:
            self.topic_id = self.parent.topic_id

    def searchable_parts(self):
        return (self.title, self.summary, self.body)


class PlaceQuerySet(PublicationQuerySet, TreeQuerySet, SearchQuerySet):
    def event_counts(self, places):
        """Set event_count on each place: its published events, the places inside it included."""
        return with_counts(places, "place-event-counts", self.count_all_events)

    def count_all_events(self):
        """Return every place's published events, its subtree's included, each counted once.

        The pairs of each place and the places inside it come from the stored paths and
        go to the database as constant rows, so each pair reads its place's links by the
        place_id index. Joined by a LIKE on the paths instead, the planners start from the
        events and walk every link once for each place.
        """
        pairs = [
            (int(ancestor), pk)
            for pk, path in Place.objects.values_list("pk", "tree_path")
            for ancestor in path.strip("/").split("/")
            if ancestor
        ]
        if not pairs:
            return {}
        links = Place.events.through._meta.db_table
        event = Place.events.rel.related_model._meta.db_table
        values = ", ".join(["(%s, %s)"] * len(pairs))
        sql = (
            f"WITH pairs (ancestor, place) AS (VALUES {values}) "
            f"SELECT p.ancestor, COUNT(DISTINCT l.event_id) FROM pairs p "
            f"JOIN {links} l ON l.place_id = p.place "
            f"JOIN {event} e ON e.id = l.event_id AND e.status = %s "
            f"GROUP BY p.ancestor"
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [*(number for pair in pairs for number in pair), "published"])
            return dict(cursor.fetchall())


class Place(SlugModel, SearchableModel, TreeModel, Publishable):
    """A place where something happened, under every name it has had."""

    detail_url_name = "timeline:place-detail"

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
    description = models.TextField(blank=True)
    # From a gazetteer only (GeoNames), cited on the place with the record's id as the
    # locator; left empty where the sources give no point.
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text="Degrees north, as GeoNames gives them; only with a citation of the record.",
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text="Degrees east, as GeoNames gives them; only with a citation of the record.",
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        permissions = publication_permissions("place")
        # The list's order, so a page of it reads 50 rows and counts only theirs.
        indexes = [models.Index(fields=["status", "name"], name="place_list_order")]
        constraints = [
            *TreeModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="place_coordinates_paired_and_on_earth",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(
                "Give both the latitude and the longitude, or neither: a point needs both."
            )
        if self.latitude is not None and not (
            -90 <= self.latitude <= 90 and -180 <= self.longitude <= 180
        ):
            raise ValidationError(
                "A latitude lies from -90 to 90 and a longitude from -180 to 180 degrees."
            )

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def coordinates_text(self):
        """Return the point as a reader writes it: "47.49835° N, 19.04045° E"."""
        if not self.has_coordinates:
            return ""
        north = "N" if self.latitude >= 0 else "S"
        east = "E" if self.longitude >= 0 else "W"
        return f"{abs(self.latitude)}° {north}, {abs(self.longitude)}° {east}"

    search_weights = {"A": ("name", "other_names"), "C": ("description",)}

    def searchable_parts(self):
        return (self.name, self.other_names, self.description)

    def search_index_rows(self):
        """Return this place's row and its events, which index its name."""
        return [*super().search_index_rows(), self.events.all()]

    @property
    def other_name_list(self):
        return lines(self.other_names)


class PersonQuerySet(PublicationQuerySet, SearchQuerySet):
    def event_counts(self, people):
        """Set event_count on each person: the published events they took part in."""
        return with_counts(people, "person-event-counts", self.count_all_events)

    def count_all_events(self):
        """Return every person's published events, in one grouped count."""
        from timeline.models.events import Participation

        taking_part = Participation.objects.filter(event__status="published").order_by()
        counts = taking_part.values("person").annotate(count=Count("event", distinct=True))
        return {row["person"]: row["count"] for row in counts}

    def featured(self):
        return self.filter(featured=True)

    def of_topic(self, topic):
        """Return the people who took part in published events of a topic's periods."""
        from timeline.models.events import Participation

        taking_part = Participation.objects.filter(
            person=OuterRef("pk"), event__period__topic=topic, event__status="published"
        )
        return self.filter(Exists(taking_part))


class Person(SlugModel, SearchableModel, Publishable):
    """Someone who took part in the history, named as the sources name them."""

    detail_url_name = "timeline:person-detail"

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
        permissions = publication_permissions("person")
        indexes = [
            # The list's order, so a page of it reads 50 rows and counts only theirs.
            models.Index(fields=["status", "sort_name", "name"], name="person_list_order"),
            # A topic's key people, in the same order: the few featured, not all 5,000.
            models.Index(
                fields=["status", "sort_name", "name"],
                condition=Q(featured=True),
                name="person_featured",
            ),
        ]

    def __str__(self):
        return self.name

    search_weights = {"A": ("name", "native_name"), "B": ("titles",), "C": ("biography",)}

    def searchable_parts(self):
        return (self.name, self.native_name, self.titles, self.biography)

    def search_index_rows(self):
        """Return this person's row and their events, which index their name."""
        from timeline.models.events import Event

        events = Event._base_manager.filter(pk__in=self.participations.values("event"))
        return [*super().search_index_rows(), events]

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
