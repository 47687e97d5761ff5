"""Downloads of data: the filtered timeline as CSV or JSON, the whole dataset, the bibliography.

Every download is of published content only. The timeline's exports take the
timeline's own query string and FilterSet, and stream: events are read a chunk at
a time, each chunk with its places, people and kinds in one query each, so
100,000 rows never sit in memory and the queries grow with chunks, not rows.
"""

import csv
import json
from collections import defaultdict
from itertools import islice

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.generic import TemplateView, View
from rest_framework.settings import api_settings

from timeline import csl
from timeline.backup import content_models
from timeline.citations import strip_markers
from timeline.context_processors import default_topic
from timeline.feeds import filter_errors
from timeline.filters import EventFilter
from timeline.models import Citation, Event, Participation, Source
from timeline.models.publication import Publishable

EXPORT_CHUNK = 1000
DATASET_CHUNK = 2000

COLUMNS = (
    "slug",
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
    "citation_count",
    "summary",
    "url",
)


def licence_headers(response):
    """Point the download at its licence (RFC 8288 rel="license"), as the topic gives it."""
    topic = default_topic()
    if topic is not None and topic.licence_url:
        response["Link"] = f'<{topic.licence_url}>; rel="license"'
    return response


def export_queryset():
    """Return the published events in the timeline's order, with their citation counts."""
    return Event.objects.published().with_citation_count().by_period()


EVENT_VALUES = (
    "pk",
    "slug",
    "title",
    "date",
    "date_earliest",
    "date_latest",
    "date_reading",
    "time",
    "summary",
    "citation_count",
    "period__slug",
    "period__title",
    "period__status",
)


def export_records(events, page_prefix):
    """Yield each event's record, reading EXPORT_CHUNK events at a time.

    Events are read as plain values, and each chunk's places, people and kinds in
    one query each, the unpublished ones dropped here: making a model instance of
    every event and of every place and person it names took 42 s for 100,000 events
    on SQLite, beyond gunicorn's timeout. (Filtering the published places and people
    in the query instead had SQLite pair every event of the chunk with every one.)
    """
    rows = events.values(*EVENT_VALUES).iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        keys = [row["pk"] for row in chunk]
        places = grouped(
            Event.places.through.objects.filter(event_id__in=keys)
            .order_by("place__name", "place_id")
            .values_list("event_id", "place__status", "place__slug", "place__name")
        )
        people = grouped(
            Participation.objects.filter(event_id__in=keys)
            .order_by("order", "pk")
            .values_list("event_id", "person__status", "person__slug", "person__name", "role")
        )
        kinds = grouped(
            Event.kinds.through.objects.filter(event_id__in=keys)
            .order_by("eventkind__name", "eventkind_id")
            .values_list("event_id", "eventkind__slug")
        )
        for row in chunk:
            key = row["pk"]
            yield event_record(row, places[key], people[key], kinds[key], page_prefix)


def grouped(rows):
    """Return the rows by their first value (an event's key), without it."""
    groups = defaultdict(list)
    for key, *rest in rows:
        groups[key].append(rest)
    return groups


def event_record(row, places, people, kinds, page_prefix):
    """Return one event as the exports give it, with lists of its places, people and kinds."""
    published = Publishable.Status.PUBLISHED
    period = None
    if row["period__status"] == published:
        period = {"slug": row["period__slug"], "title": row["period__title"]}
    return {
        "slug": row["slug"],
        "title": row["title"],
        "date": row["date"],
        "date_earliest": row["date_earliest"].isoformat(),
        "date_latest": row["date_latest"].isoformat(),
        "date_reading": row["date_reading"],
        "time": row["time"].strftime("%H:%M") if row["time"] else None,
        "period": period,
        "places": [
            {"slug": slug, "name": name} for status, slug, name in places if status == published
        ],
        "people": [
            {"slug": slug, "name": name, "role": role}
            for status, slug, name, role in people
            if status == published
        ],
        "kinds": [slug for (slug,) in kinds],
        "citation_count": row["citation_count"],
        "summary": strip_markers(row["summary"]),
        "url": page_prefix + row["slug"] + "/",
    }


def csv_row(record):
    """Flatten a record for CSV: names joined by "; ", the period by its title."""
    row = dict(record)
    row["period"] = record["period"]["title"] if record["period"] else ""
    row["places"] = "; ".join(place["name"] for place in record["places"])
    row["people"] = "; ".join(person["name"] for person in record["people"])
    row["kinds"] = "; ".join(record["kinds"])
    row["time"] = record["time"] or ""
    return [row[column] for column in COLUMNS]


class Echo:
    """A file that hands back what is written to it, for csv.writer in a stream."""

    def write(self, value):
        return value


class TimelineExportView(View):
    """The filtered timeline as a download: /events/export.csv?… and export.json?…"""

    format = "csv"

    def get(self, request, *args, **kwargs):
        filterset = EventFilter(request.GET, queryset=export_queryset())
        if not filterset.is_valid():
            return HttpResponseBadRequest(
                filter_errors(filterset), content_type="text/plain; charset=utf-8"
            )
        page_prefix = request.build_absolute_uri(
            reverse("timeline:event-detail", kwargs={"slug": "slug"}).removesuffix("slug/")
        )
        records = export_records(filterset.qs, page_prefix)
        if self.format == "csv":
            content, content_type = self.csv_lines(records), "text/csv; charset=utf-8"
        else:
            content, content_type = self.json_parts(request, records), "application/json"
        response = StreamingHttpResponse(buffered(content), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="histsite-events.{self.format}"'
        return licence_headers(response)

    def csv_lines(self, records):
        writer = csv.writer(Echo())
        yield writer.writerow(COLUMNS)
        for record in records:
            yield writer.writerow(csv_row(record))

    def json_parts(self, request, records):
        topic = default_topic()
        query = request.GET.urlencode()
        head = {
            "timeline": request.build_absolute_uri(reverse("timeline:event-list"))
            + (f"?{query}" if query else ""),
            "licence": topic.licence if topic else "",
            "licence_url": topic.licence_url if topic else "",
            "attribution": topic.attribution if topic else "",
        }
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "events": ['
        separator = "\n"
        for record in records:
            yield separator + json.dumps(record, ensure_ascii=False)
            separator = ",\n"
        yield "\n]}\n"


def published(model):
    """Return the rows of a content model that readers see."""
    manager = model._default_manager
    if model is Citation:
        return manager.public()
    if model is Participation:
        return manager.filter(event__status="published", person__status="published")
    if issubclass(model, Publishable):
        return manager.published()
    return manager.all()


def published_rows(model):
    """Return the rows of a content model that readers see, with what serializing needs."""
    related = [f.name for f in model._meta.fields if f.is_relation and f.editable]
    many = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    prefetches = [Prefetch(name, queryset=published_or_all(model, name)) for name in many]
    rows = published(model).order_by("pk")
    return rows.select_related(*related).prefetch_related(*prefetches)


def published_or_all(model, name):
    related = model._meta.get_field(name).related_model
    if issubclass(related, Publishable):
        return related._default_manager.published()
    return related._default_manager.all()


def hide_unpublished_references(obj):
    """Empty the references to rows readers may not see (a draft parent, a draft period)."""
    for field in obj._meta.fields:
        if field.is_relation and issubclass(field.related_model, Publishable) and field.null:
            target = getattr(obj, field.name)
            if target is not None and not target.is_published:
                setattr(obj, field.name, None)
    return obj


STREAM_PIECE = 64 * 1024  # characters


def buffered(parts):
    """Yield the first part, then the rest joined into pieces of STREAM_PIECE characters or more.

    A WSGI server sends each piece of a streamed response with a system call of its
    own: a row at a time, the whole timeline's CSV was 100,000 of them. The first part
    (a header) goes at once, so that the download starts before the rows are read.
    """
    parts = iter(parts)
    yield from islice(parts, 1)
    pending, length = [], 0
    for part in parts:
        pending.append(part)
        length += len(part)
        if length >= STREAM_PIECE:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)


def dataset_fields(model):
    return [
        f.name
        for f in [*model._meta.fields, *model._meta.many_to_many]
        if f.editable and not f.primary_key
    ]


def dataset_chunks():
    """Yield the published content as dumpdata --natural-foreign --natural-primary writes
    it, the fixtures' format, a JSON list in parts, model by model in load order."""
    yield "["
    first = True
    slugs = SlugsByModel()
    for model in content_models():
        if model in VALUE_MODELS:
            records = value_records(model, slugs)
        else:
            records = serialized_records(model)
        for text in records:
            yield ("\n" if first else ",\n") + text
            first = False
    yield "\n]\n"


def serialized_records(model):
    """Yield the model's published rows through Django's serializer, a chunk at a time."""
    fields = dataset_fields(model)
    rows = published_rows(model).iterator(chunk_size=DATASET_CHUNK)
    while chunk := [hide_unpublished_references(obj) for obj in islice(rows, DATASET_CHUNK)]:
        text = serializers.serialize(
            "json",
            chunk,
            fields=fields,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
            ensure_ascii=False,
        )
        yield text[1:-1]


# The models with a row or more for every event. Django's serializer makes a model
# instance of each row and of each row it names: the dataset took over a minute of CPU
# at 100,000 events, longer than gunicorn's timeout. Their rows name other rows only by
# slug, so they are written from plain values instead, as the serializer would write them.
VALUE_MODELS = (Event, Participation, Citation)


def value_records(model, slugs=None):
    """Yield the model's published rows as serialized_records() does, read as plain values."""
    slugs = SlugsByModel() if slugs is None else slugs
    names = dataset_fields(model)
    local = [f for f in model._meta.local_fields if f.name in names]
    many = [
        f
        for f in model._meta.local_many_to_many
        if f.name in names and f.remote_field.through._meta.auto_created
    ]
    targets = {f.name: slugs[f.related_model] for f in local if f.is_relation}
    hidden = {f.name for f in local if f.is_relation and f.null}
    label = str(model._meta)
    rows = published(model).order_by("pk").values("pk", *(f.attname for f in local))
    rows = rows.iterator(chunk_size=DATASET_CHUNK)
    while chunk := list(islice(rows, DATASET_CHUNK)):
        keys = [row["pk"] for row in chunk]
        linked = {f.name: linked_slugs(f, keys) for f in many}
        records = []
        for row in chunk:
            fields = {}
            for f in local:
                value = row[f.attname]
                if f.is_relation and value is not None:
                    slug, shown = targets[f.name][value]
                    value = [slug] if shown or f.name not in hidden else None
                fields[f.name] = value
            for f in many:
                fields[f.name] = linked[f.name].get(row["pk"], [])
            record = {"model": label, "fields": fields}
            records.append(json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False))
        yield ", ".join(records)


class SlugsByModel(dict):
    """Each row's slug (its natural key) and whether readers may see it, by model and key.

    Read once a model, when first asked for: the events' slugs serve both their
    participants and their citations.
    """

    def __missing__(self, model):
        manager = model._default_manager
        if issubclass(model, Publishable):
            shown = Publishable.Status.PUBLISHED
            rows = manager.values_list("pk", "slug", "status")
            slugs = {pk: (slug, status == shown) for pk, slug, status in rows}
        else:
            slugs = {pk: (slug, True) for pk, slug in manager.values_list("pk", "slug")}
        self[model] = slugs
        return slugs


def linked_slugs(field, keys):
    """Return, by row, the natural keys of the rows a many-to-many field links it to.

    Only those readers may see, in the linked model's order, as a prefetch gives them.
    """
    target = field.m2m_reverse_field_name()
    links = field.remote_field.through.objects.filter(**{f"{field.m2m_field_name()}_id__in": keys})
    if issubclass(field.related_model, Publishable):
        links = links.filter(**{f"{target}__status": Publishable.Status.PUBLISHED})
    ordering = [f"{target}__{name}" for name in field.related_model._meta.ordering]
    links = links.order_by(*ordering, f"{target}_id")
    grouped = defaultdict(list)
    for key, slug in links.values_list(f"{field.m2m_field_name()}_id", f"{target}__slug"):
        grouped[key].append([slug])
    return grouped


class DatasetView(View):
    """The whole published dataset in the fixtures' natural-key JSON, streamed."""

    def get(self, request, *args, **kwargs):
        response = StreamingHttpResponse(
            buffered(dataset_chunks()), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="histsite.json"'
        return licence_headers(response)


class BibliographyView(View):
    """Every published source as CSL-JSON, the format reference managers read."""

    def get(self, request, *args, **kwargs):
        sources = Source.objects.published().order_by("title", "pk")
        items = [csl.source_item(source) for source in sources]
        response = JsonResponse(
            items, safe=False, json_dumps_params={"ensure_ascii": False, "indent": 1}
        )
        response["Content-Disposition"] = 'inline; filename="histsite-bibliography.json"'
        return licence_headers(response)


class DataView(TemplateView):
    """The open-data page: every download, feed and API, with the licence they come under."""

    template_name = "timeline/data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rate = api_settings.DEFAULT_THROTTLE_RATES["anon"]
        count, _, period = rate.partition("/")
        context["api_rate"] = f"{count} requests a {period}"
        return context
