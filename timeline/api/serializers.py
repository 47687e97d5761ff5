"""What the API says about each model: published content, dates with bounds and readings."""

from types import SimpleNamespace

from django.urls import reverse
from django.utils.http import urlencode
from rest_framework import serializers

from timeline import dates
from timeline.citations import strip_markers
from timeline.models import Citation, Event, Participation, Period, Person, Place, Source
from timeline.models.base import PLACEHOLDER


class MarkerFreeField(serializers.CharField):
    """A narrative field without its [^key] citation markers."""

    def to_representation(self, value):
        return strip_markers(value)


class OptionalURLField(serializers.URLField):
    """A URL, or null where none is stored (an empty string is not a URL)."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class DatedFields(serializers.Serializer):
    """The EDTF date and what is stored beside it."""

    date = serializers.CharField(help_text="The date as EDTF (1956-11-04, 1939-21, 1934~).")
    date_earliest = serializers.DateField(help_text="The earliest day the date can mean.")
    date_latest = serializers.DateField(help_text="The latest day the date can mean.")
    date_reading = serializers.CharField(help_text="The date as a reader reads it.")


class SlugURLMixin:
    """Make a field's links from one address per request, with each row's slug put in.

    DRF reverses an address for every link of every row: 1,300 reverse() calls for a
    page of 50 events, a third of its time. A slug is already safe in a URL.
    """

    def get_url(self, obj, view_name, request, format):
        if obj.pk in (None, ""):
            return None
        addresses = self.__dict__.setdefault("addresses", {})
        if (view_name, format) not in addresses:
            row = SimpleNamespace(pk=obj.pk, **{self.lookup_field: PLACEHOLDER})
            addresses[view_name, format] = super().get_url(row, view_name, request, format)
        return addresses[view_name, format].replace(PLACEHOLDER, getattr(obj, self.lookup_field))

    def to_representation(self, value):
        # DRF's Hyperlink is a string that carries its row along, for the browsable
        # API, which this API does not serve; a kept list row would pickle the row too.
        url = super().to_representation(value)
        return None if url is None else str(url)


class SlugHyperlink(SlugURLMixin, serializers.HyperlinkedRelatedField):
    pass


class SlugIdentityLink(SlugURLMixin, serializers.HyperlinkedIdentityField):
    pass


class LinkedMixin(serializers.Serializer):
    page_url = serializers.SerializerMethodField(help_text="The row's page on the site.")

    def get_page_url(self, obj) -> str:
        # One address per kind of row and request, as SlugURLMixin makes them.
        addresses = self.__dict__.setdefault("page_addresses", {})
        model = type(obj)
        if model not in addresses:
            path = model(slug=PLACEHOLDER).get_absolute_url()
            addresses[model] = self.context["request"].build_absolute_uri(path)
        return addresses[model].replace(PLACEHOLDER, obj.slug)


class PublishedRefMixin:
    """A reference to a row that says nothing (null) of a row readers may not see."""

    def to_representation(self, instance):
        return super().to_representation(instance) if instance.is_published else None


class PublishedHyperlink(PublishedRefMixin, SlugHyperlink):
    pass


def parent_link(view_name):
    return PublishedHyperlink(
        view_name=f"api:{view_name}",
        lookup_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The row this one lies inside, if readers may see it.",
    )


def api_link(view_name):
    return SlugIdentityLink(
        view_name=f"api:{view_name}", lookup_field="slug", help_text="This row in the API."
    )


class PlaceRefSerializer(PublishedRefMixin, serializers.ModelSerializer):
    url = api_link("place-detail")

    class Meta:
        model = Place
        fields = ("slug", "name", "url")


class PersonRefSerializer(PublishedRefMixin, serializers.ModelSerializer):
    url = api_link("person-detail")

    class Meta:
        model = Person
        fields = ("slug", "name", "url")


class PeriodRefSerializer(PublishedRefMixin, serializers.ModelSerializer):
    url = api_link("period-detail")

    class Meta:
        model = Period
        fields = ("slug", "title", "url")


class SourceRefSerializer(PublishedRefMixin, serializers.ModelSerializer):
    url = api_link("source-detail")

    class Meta:
        model = Source
        fields = ("slug", "title", "url")


class ParticipantSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="person.slug")
    name = serializers.CharField(source="person.name")
    url = SlugHyperlink(
        source="person", view_name="api:person-detail", lookup_field="slug", read_only=True
    )

    class Meta:
        model = Participation
        fields = ("slug", "name", "role", "url")


class EventSerializer(LinkedMixin, DatedFields, serializers.ModelSerializer):
    url = api_link("event-detail")
    period = PeriodRefSerializer(allow_null=True)
    places = PlaceRefSerializer(many=True)
    people = ParticipantSerializer(many=True, source="participations")
    kinds = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    summary = MarkerFreeField()
    citation_count = serializers.IntegerField(help_text="Its citations a reader can see.")
    citations = serializers.SerializerMethodField(help_text="Its citations in the API.")

    class Meta:
        model = Event
        fields = (
            "slug",
            "url",
            "page_url",
            "title",
            "date",
            "date_earliest",
            "date_latest",
            "date_reading",
            "time",
            "period",
            "places",
            "people",
            "kinds",
            "summary",
            "citation_count",
            "citations",
            "first_published_at",
            "modified_at",
        )

    def get_citations(self, obj) -> str:
        return citations_url(self.context["request"], "event", obj.slug)


class EventDetailSerializer(EventSerializer):
    body = MarkerFreeField()

    class Meta(EventSerializer.Meta):
        fields = (*EventSerializer.Meta.fields, "body")


def citations_url(request, target, slug):
    path = reverse("api:citation-list") + "?" + urlencode({target: slug})
    return request.build_absolute_uri(path)


class PersonSerializer(LinkedMixin, serializers.ModelSerializer):
    url = api_link("person-detail")
    biography = MarkerFreeField()
    born_reading = serializers.SerializerMethodField()
    died_reading = serializers.SerializerMethodField()
    citations = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField(help_text="Their events in the API.")

    class Meta:
        model = Person
        fields = (
            "slug",
            "url",
            "page_url",
            "name",
            "native_name",
            "sort_name",
            "titles",
            "born",
            "born_reading",
            "died",
            "died_reading",
            "biography",
            "citations",
            "events",
            "modified_at",
        )

    def get_born_reading(self, obj) -> str:
        return reading(obj.born)

    def get_died_reading(self, obj) -> str:
        return reading(obj.died)

    def get_citations(self, obj) -> str:
        return citations_url(self.context["request"], "person", obj.slug)

    def get_events(self, obj) -> str:
        return events_url(self.context["request"], "person", obj.slug)


def reading(value):
    return dates.parse(value).reading if value else ""


def events_url(request, name, slug):
    return request.build_absolute_uri(reverse("api:event-list") + "?" + urlencode({name: slug}))


class PlaceSerializer(LinkedMixin, serializers.ModelSerializer):
    url = api_link("place-detail")
    parent = parent_link("place-detail")
    description = MarkerFreeField()
    citations = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField(help_text="Its events in the API.")

    class Meta:
        model = Place
        fields = (
            "slug",
            "url",
            "page_url",
            "name",
            "other_names",
            "kind",
            "parent",
            "description",
            "citations",
            "events",
            "modified_at",
        )

    def get_citations(self, obj) -> str:
        return citations_url(self.context["request"], "place", obj.slug)

    def get_events(self, obj) -> str:
        return events_url(self.context["request"], "place", obj.slug)


class PeriodSerializer(LinkedMixin, DatedFields, serializers.ModelSerializer):
    url = api_link("period-detail")
    parent = parent_link("period-detail")
    summary = MarkerFreeField()
    body = MarkerFreeField()
    citations = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField(help_text="Its events in the API.")

    class Meta:
        model = Period
        fields = (
            "slug",
            "url",
            "page_url",
            "title",
            "date",
            "date_earliest",
            "date_latest",
            "date_reading",
            "parent",
            "summary",
            "body",
            "citations",
            "events",
            "modified_at",
        )

    def get_citations(self, obj) -> str:
        return citations_url(self.context["request"], "period", obj.slug)

    def get_events(self, obj) -> str:
        return events_url(self.context["request"], "period", obj.slug)


class SourceSerializer(LinkedMixin, serializers.ModelSerializer):
    url = api_link("source-detail")
    type = serializers.CharField(source="csl_type", help_text="A CSL item type.")
    authors = serializers.ListField(
        child=serializers.CharField(), source="author_list", help_text="One name an item."
    )
    issued_reading = serializers.CharField()
    source_url = OptionalURLField(
        source="url", help_text="Where the source itself is found, if it is online."
    )
    licence_url = OptionalURLField(help_text="The licence the source is shared under.")
    known_through = SourceRefSerializer(allow_null=True)
    citation_count = serializers.IntegerField(help_text="Its citations a reader can see.")
    citations = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = (
            "slug",
            "url",
            "page_url",
            "type",
            "title",
            "authors",
            "container_title",
            "publisher",
            "issued",
            "issued_reading",
            "source_url",
            "accessed",
            "licence",
            "licence_url",
            "attribution",
            "known_through",
            "known_through_locator",
            "citation_count",
            "citations",
            "modified_at",
        )

    def get_citations(self, obj) -> str:
        return citations_url(self.context["request"], "source", obj.slug)


class CitationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:citation-detail", lookup_field="key", help_text="This row in the API."
    )
    source = SourceRefSerializer()
    locator_label = serializers.CharField(help_text="What the locator counts: section, page…")
    target_type = serializers.SerializerMethodField(help_text="What the citation supports.")
    target = serializers.SerializerMethodField(help_text="The supported row in the API.")

    class Meta:
        model = Citation
        fields = (
            "key",
            "url",
            "source",
            "locator_label",
            "locator",
            "quotation",
            "note",
            "target_type",
            "target",
        )

    def get_target_type(self, obj) -> str:
        return obj.target_names()[0]

    def get_target(self, obj) -> str | None:
        name = obj.target_names()[0]
        if name == "topic":
            return None
        path = reverse(f"api:{name}-detail", args=[getattr(obj, name).slug])
        return self.context["request"].build_absolute_uri(path)
