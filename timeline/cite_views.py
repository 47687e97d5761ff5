"""Cite this page: the section on each page, and its record as BibTeX, RIS and CSL-JSON."""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views import View

from timeline import csl
from timeline.cache import cached
from timeline.cite import FORMATS, SITE_NAME, WRITERS, PageCitation, page_item
from timeline.context_processors import default_topic
from timeline.metadata import SCHEMA_ORG, PageMeta, breadcrumb_list, json_ld
from timeline.models import Event, Period, Person, Place, Source, Topic
from timeline.models.publication import can_preview


class CiteFormatConverter:
    """The extension of a citation download: cite.bib, cite.ris, cite.json."""

    regex = "|".join(FORMATS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


@dataclass
class Download:
    label: str
    url: str
    media_type: str


def download_links(url_name, **kwargs):
    """Return each download of a record: BibTeX, RIS, CSL-JSON."""
    return [
        Download(
            label, reverse(url_name, kwargs={**kwargs, "fmt": fmt}), content_type.split(";")[0]
        )
        for fmt, (content_type, label) in FORMATS.items()
    ]


def page_links(obj):
    if isinstance(obj, Topic):
        if obj.is_default:
            return download_links("timeline:home-cite")
        return download_links("timeline:topic-cite", slug=obj.slug)
    return download_links(f"timeline:{obj._meta.model_name}-cite", slug=obj.slug)


class CiteMixin:
    """Give a page its "Cite this page" section and the metadata in its head."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        if obj is None:
            return context
        url = self.request.build_absolute_uri(obj.get_absolute_url())
        source_links = []
        if isinstance(obj, Source):
            source_links = download_links("timeline:source-record", slug=obj.slug)
        page_cite = PageCitation(obj, url, page_links(obj), source_links)
        topic = obj if isinstance(obj, Topic) else default_topic()
        context["page_cite"] = page_cite
        # A page's metadata describes each source it cites (a period's hundred took
        # 7 ms, and as model instances its kept copy took 0.5 ms to read back); it
        # depends on the object, its address and the day it is accessed, and is kept
        # as the HTML of the page's head.
        day = timezone.localdate().isoformat()
        key = f"page-meta:{obj._meta.label}:{obj.pk}:{can_preview(self.request.user)}:{day}:{url}"

        def render_meta():
            sources = context.get("reference_sources", [])
            meta = PageMeta(
                obj,
                self.request,
                page_cite.item,
                sources,
                licence_url=getattr(topic, "licence_url", ""),
            )
            return render_to_string(
                "includes/page_meta.html", {"page_meta": meta, "page_cite": page_cite}
            )

        context["page_meta_html"] = cached(key, render_meta)
        return context


class BreadcrumbsMixin:
    """Give a list page its breadcrumbs as JSON-LD: Home, then the page."""

    breadcrumb = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        trail = [("Home", reverse("timeline:home")), (self.breadcrumb, self.request.path)]
        page_id = self.request.build_absolute_uri(self.request.path)
        data = {"@context": SCHEMA_ORG, **breadcrumb_list(self.request, trail, page_id)}
        context["breadcrumbs_json_ld"] = json_ld(data)
        return context


class BibliographyLinksMixin(BreadcrumbsMixin):
    """Offer the whole bibliography on the list of sources."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bibliography_links"] = download_links("timeline:source-bibliography")
        return context


def download(items, fmt, name):
    """Return the items in one format, as a file named name.fmt."""
    content_type, _ = FORMATS[fmt]
    response = HttpResponse(WRITERS[fmt](items), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    return response


class PageCiteView(View):
    """A page's own record: /events/<slug>/cite.bib and the like."""

    model = None

    def get_object(self):
        queryset = self.model.objects.visible_to(self.request.user)
        return get_object_or_404(queryset, slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        item = page_item(obj, request.build_absolute_uri(obj.get_absolute_url()))
        return download([item], kwargs["fmt"], item["id"])


class EventCiteView(PageCiteView):
    model = Event


class PersonCiteView(PageCiteView):
    model = Person


class PeriodCiteView(PageCiteView):
    model = Period


class PlaceCiteView(PageCiteView):
    model = Place


class SourceCiteView(PageCiteView):
    model = Source


class TopicCiteView(PageCiteView):
    def get_object(self):
        return get_object_or_404(Topic.objects.with_span(), slug=self.kwargs["slug"])


class HomeCiteView(PageCiteView):
    def get_object(self):
        topic = default_topic()
        if topic is None:
            raise Http404("There is no topic on this site yet.")
        return topic


class SourceRecordView(View):
    """A source's own record: /sources/<slug>/source.bib and the like."""

    def get(self, request, *args, **kwargs):
        sources = Source.objects.visible_to(request.user)
        source = get_object_or_404(sources, slug=kwargs["slug"])
        return download([csl.source_item(source)], kwargs["fmt"], source.slug)


class BibliographyView(View):
    """Every published source: /sources/cite.bib and the like."""

    def get(self, request, *args, **kwargs):
        sources = Source.objects.published().order_by("title", "slug")
        items = [csl.source_item(source) for source in sources]
        return download(items, kwargs["fmt"], f"{SITE_NAME}-sources")
