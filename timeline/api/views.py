"""Read-only API views: published rows only, for everyone, through the site's own QuerySets."""

import django_filters
from django.db.models import prefetch_related_objects
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets

from timeline.api import serializers
from timeline.api.schema import EventFilterBackend
from timeline.cache import cached_each
from timeline.filters import EventFilter
from timeline.models import Citation, Event, Period, Person, Place, Source
from timeline.models.events import row_prefetches


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"


class EventViewSet(ReadOnlyViewSet):
    """Published events, with the timeline's own filters: the same parameters as /events/."""

    filter_backends = [EventFilterBackend]
    filterset_class = EventFilter

    def get_queryset(self):
        events = Event.objects.published().select_related("period").with_citation_count()
        if self.action != "list":
            events = events.prefetch_related(*self.row_prefetches())
        return events.by_period()

    def row_prefetches(self):
        return [*row_prefetches(), "kinds"]

    def list(self, request, *args, **kwargs):
        """A page of events, each row's representation kept until content changes.

        A row depends on its event and the site's address alone, like a timeline
        row: serializing fifty, with their places, people and kinds read for them,
        was most of the page's 30 ms at 100,000 events.
        """
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        site = request.build_absolute_uri("/")

        def represent(events):
            prefetch_related_objects(events, *self.row_prefetches())
            return self.get_serializer(events, many=True).data

        return self.get_paginated_response(cached_each(f"api-event:{site}", page, represent))

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.EventDetailSerializer
        return serializers.EventSerializer


class PersonViewSet(ReadOnlyViewSet):
    """Published people, in index order."""

    serializer_class = serializers.PersonSerializer

    def get_queryset(self):
        return Person.objects.published().order_by("sort_name", "name", "pk")


class PlaceViewSet(ReadOnlyViewSet):
    """Published places, by name."""

    serializer_class = serializers.PlaceSerializer

    def get_queryset(self):
        return Place.objects.published().select_related("parent").order_by("name", "pk")


class PeriodViewSet(ReadOnlyViewSet):
    """Published periods, in their order."""

    serializer_class = serializers.PeriodSerializer

    def get_queryset(self):
        periods = Period.objects.published().with_related()
        return periods.order_by("order", "date_earliest", "title", "pk")


class SourceViewSet(ReadOnlyViewSet):
    """Published sources, read ones first, each document under the source it is known through."""

    serializer_class = serializers.SourceSerializer

    def get_queryset(self):
        sources = Source.objects.published().with_related().with_citation_count()
        return sources.in_index_order()


class CitationFilter(django_filters.FilterSet):
    """Citations of one source, or supporting one event, person, place or period (by slug)."""

    source = django_filters.CharFilter(field_name="source__slug", max_length=120)
    event = django_filters.CharFilter(field_name="event__slug", max_length=120)
    person = django_filters.CharFilter(field_name="person__slug", max_length=120)
    place = django_filters.CharFilter(field_name="place__slug", max_length=120)
    period = django_filters.CharFilter(field_name="period__slug", max_length=120)

    class Meta:
        model = Citation
        fields = ()


class CitationViewSet(ReadOnlyViewSet):
    """Citations a reader can see: of published sources, supporting published rows."""

    serializer_class = serializers.CitationSerializer
    lookup_field = "key"
    filter_backends = [DjangoFilterBackend]
    filterset_class = CitationFilter

    def get_queryset(self):
        citations = Citation.objects.public().with_related().with_targets()
        # In the order they were made: sorting 200,000 citations by their source's title
        # took 1.7 s of CPU a page; the primary key's order costs nothing.
        return citations.order_by("pk")
