"""Public pages: the timeline, and a page for every period, event, person, place and source."""

import hashlib
from functools import partial

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, TemplateView, View
from django_filters.views import FilterView

from timeline import search
from timeline.cache import cached, cached_in_part
from timeline.citations import Notes
from timeline.cite_views import BibliographyLinksMixin, BreadcrumbsMixin, CiteMixin
from timeline.drawing import Drawing, Window
from timeline.filters import MAX_QUERY_LENGTH, EventFilter
from timeline.maps import HIGHLIGHTED, locator_map, place_map
from timeline.models import Event, Period, Person, Place, Source, Topic
from timeline.models.base import search_words
from timeline.models.images import illustrations_prefetch
from timeline.models.publication import can_preview
from timeline.rows import with_rows
from timeline.visual_views import EventMapView, EventTimelineView, ViewError, view_links, view_name

PAGE_SIZE = 25
MAX_PAGE = 10**6


def page_number(request, what):
    """Return the page asked for, or answer 404 with a sentence for a number that is none."""
    value = request.GET.get("page") or "1"
    # isdigit() alone accepts "²" and "١", which int() then refuses or reads otherwise,
    # and int() refuses 4,300 digits and more: a page number is a short run of 0-9.
    number = value.isascii() and value.isdecimal() and len(value) <= 10
    if not number or not 1 <= int(value) <= MAX_PAGE:
        raise Http404(f"There is no page “{value[:30]}” of {what}.")
    return int(value)


class KeptCountPaginator(Paginator):
    """A paginator whose count, given a name to keep it under, is kept until content changes.

    Counting the timeline's 95,000 events, or the 7,600 of its busiest person, reads
    them all; the number depends only on what the list selects and on the content.
    """

    def __init__(self, object_list, per_page, kept=None):
        super().__init__(object_list, per_page)
        self.kept = kept

    @cached_property
    def count(self):
        if self.kept is None or not isinstance(self.object_list, QuerySet):
            return super().count
        return cached(f"{self.kept}:count", self.object_list.count)


class KeysFirstPaginator(KeptCountPaginator):
    """Read a page's keys from the order's index first, then only that page's rows.

    With OFFSET, the database builds every row it skips: on page 300 of the timeline
    SQLite joined 7,475 events to their periods to throw them away (35 ms). The keys
    alone come from the index that serves the order; the page's 25 rows then come by
    primary key, with whatever the queryset joins and prefetches, or as rows(keys)
    fetches them: asked again with the queryset's conditions, a condition such as "in
    the events of this kind" is worked out for every event of the kind to keep 25.

    With a name to keep them under, the keys of a list of at most KEPT_KEYS rows are
    kept too, in order, until content changes. A list that short comes from a narrow
    condition (one person's 7,600 events among 95,000), which the order's index serves
    worst: SQLite walked 20,000 events in order, asking each whether the person took
    part, to find page 1 (28 ms), and all of them for a late page.
    """

    KEPT_KEYS = 50_000

    def __init__(self, object_list, per_page, rows=None, kept=None):
        super().__init__(object_list, per_page, kept)
        self.rows = rows or (lambda keys: object_list.filter(pk__in=keys).order_by())

    def page(self, number):
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.prefetch_related(None).values_list("pk", flat=True)
        if self.kept is not None and self.count <= self.KEPT_KEYS:
            keys = cached(f"{self.kept}:keys", lambda: list(keys))[bottom:top]
        else:
            keys = list(keys[bottom:top])
        found = {row.pk: row for row in self.rows(keys)}
        return self._get_page([found[key] for key in keys], number, self)


def page_context(paginator, number, what):
    """Return what includes/pagination.html needs for one page of a paginator."""
    if number > paginator.num_pages:
        raise Http404(f"There is no page {number} of {what}; it has {paginator.num_pages}.")
    page = paginator.page(number)
    return {
        "paginator": paginator,
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "page_range": list(paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)),
    }


class PagedMixin:
    """Show a long list on a detail page a page at a time, with the timeline's page rules."""

    paginate_by = PAGE_SIZE

    def paginate(self, queryset, what, name, rows=None):
        """Return the page's context, its rows under name ("events", "citations").

        The number of rows is kept until content changes: counting the 7,700 events
        of the busiest person asked each of 95,000 events whether they took part.
        """
        number = page_number(self.request, what)
        obj, user = self.object, self.request.user
        kept = f"list:{obj._meta.label}:{obj.pk}:{name}:{can_preview(user)}"
        paginator = KeysFirstPaginator(queryset, self.paginate_by, rows, kept)
        context = page_context(paginator, number, what)
        context[name] = context["page_obj"].object_list
        return context


class ListPagesMixin:
    """Paginate a list view with the site's page rules and its elided page links."""

    paginate_by = 50
    what = "this list"

    def paginate_queryset(self, queryset, page_size):
        """Return one page: a count that sorts nothing, then only the page's rows."""
        number = page_number(self.request, self.what)
        paginator = KeysFirstPaginator(queryset, page_size, self.page_rows, self.page_kept())
        context = page_context(paginator, number, self.what)
        page = context["page_obj"]
        self.page_range = context["page_range"]
        return context["paginator"], page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_range"] = getattr(self, "page_range", [])
        return context

    page_rows = None  # fetch a page's rows from their keys (see KeysFirstPaginator)

    def page_kept(self):
        """Return the name to keep the list's count and keys under, or None to keep none."""
        return None


def references(groups):
    """Return a page's References as HTML, from its notes grouped by source."""
    return render_to_string("includes/references.html", {"reference_groups": groups})


class CitedMixin:
    """Number the object's citations as footnotes and hand the page its References."""

    def get_citations(self):
        citations = self.object.citations.visible_to(self.request.user)
        return citations.with_related().order_by("order", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The text and its References depend on the object alone (and on whether drafts
        # show): the Kádár era's 173 notes took 30 ms to number and render each time.
        # They are kept as HTML; the sources they name, which only the page's metadata
        # reads (and keeps), are read again when it is made.
        obj = self.object
        key = f"cited:{obj._meta.label}:{obj.pk}:{can_preview(self.request.user)}"
        context.update(cached_in_part(key, self.cited_context, lazy=["reference_sources"]))
        return context

    def cited_context(self):
        notes = Notes(self.get_citations())
        cited = self.render_cited_text(notes)
        # The notes are numbered as the text is rendered, so they are grouped after.
        groups = notes.groups()
        return {
            **cited,
            "references_html": references(groups),
            "reference_sources": [group.source for group in groups],
        }

    def render_cited_text(self, notes):
        """Return the summary and body with their markers, numbered in reading order."""
        return {
            "summary_html": notes.lead(self.object.summary, self.object.body),
            "body_html": notes.paragraphs(self.object.body),
        }


class IllustratedMixin:
    """Hand the page its pictures, read in one query: the lead and the rest, in order."""

    def get_object(self, queryset=None):
        item = super().get_object(queryset)
        prefetch_related_objects([item], illustrations_prefetch(self.request.user))
        return item

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = list(self.object.illustrations.all())
        context["lead_illustration"] = shown[0] if shown else None
        context["gallery"] = shown[1:]
        return context


class TopicView(CiteMixin, DetailView):
    """A topic's page: its lead, its periods along the years, its key events and people."""

    template_name = "timeline/home.html"
    context_object_name = "topic"
    queryset = Topic.objects.with_span()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        topic = self.object
        if topic is None:
            return context
        user = self.request.user
        notes = Notes(topic.citations.visible_to(user).with_related())
        context["lead_html"] = notes.lead(topic.lead, topic.see_also)
        context["see_also_markers"] = notes.placed_in(topic.see_also)
        context["references_html"] = references(notes.groups())
        if topic.span_years:
            # The timeline's drawing at its widest zoom over the topic's years: its periods,
            # and the events of those years, as the timeline shows them. Asking for the
            # topic's events too would read every event's row, not only the date index:
            # 0.7 s instead of 0.16 s at 100,000 events on SQLite.
            # It depends on the content alone, so it is drawn once a content change.
            span = (topic.span_start, topic.span_end)
            window = Window.around("all", topic.span_start, span)
            periods = topic.periods.visible_to(user)
            events = Event.objects.visible_to(user)
            context["drawing_html"] = cached(
                f"topic-drawing:{topic.pk}:{can_preview(user)}",
                lambda: render_to_string(
                    "includes/timeline_drawing.html",
                    {"drawing": Drawing(window, events, periods).layout()},
                ),
            )
            countries = Place.objects.published().filter(slug__in=HIGHLIGHTED)
            context["locator_map"] = locator_map(countries)
        context["key_events"] = with_rows(Event.objects.key_events(topic, user), user, False)
        context["key_people"] = Person.objects.visible_to(user).featured().of_topic(topic)
        return context


class HomeView(TopicView):
    """The default topic's page, at the site's root."""

    def get_object(self, queryset=None):
        return Topic.objects.default()


class PeriodListView(BreadcrumbsMixin, ListPagesMixin, ListView):
    what = "the periods"
    breadcrumb = "Periods"

    template_name = "timeline/period_list.html"
    context_object_name = "periods"

    def get_queryset(self):
        periods = Period.objects.visible_to(self.request.user).order_by("order", "date_earliest")
        return periods.with_event_count()


class PeriodDetailView(CiteMixin, IllustratedMixin, PagedMixin, CitedMixin, DetailView):
    template_name = "timeline/period_detail.html"

    def get_queryset(self):
        return Period.objects.visible_to(self.request.user).with_related()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.object
        user = self.request.user
        context["children"] = period.children.visible_to(user)
        events = Event.objects.visible_to(user).in_period(period).chronological()
        context.update(self.paginate(events, "this period's events", "events"))
        context["events"] = with_rows(context["events"], user, show_details=False)
        return context


class EventListView(BreadcrumbsMixin, ListPagesMixin, FilterView):
    """The filterable timeline."""

    breadcrumb = "Timeline"

    template_name = "timeline/event_list.html"
    filterset_class = EventFilter
    context_object_name = "events"
    paginate_by = PAGE_SIZE
    what = "the timeline"

    def get_queryset(self):
        # Grouped by period, then in time, so each period's heading appears once.
        # Rows bring their places and people along as they are drawn (with_rows).
        user = self.request.user
        return Event.objects.visible_to(user).select_related("period").by_period()

    def page_rows(self, keys):
        return Event.objects.select_related("period").filter(pk__in=keys)

    def page_kept(self):
        """Keep the count and keys once per content change for each set of filters.

        Counting a filter that matches tens of thousands of events reads them all;
        the number and the order depend only on the filters' values and the content.
        """
        return f"timeline-list:{form_digest(self.filterset.form, can_preview(self.request.user))}"

    def get(self, request, *args, **kwargs):
        # The timeline, the drawing and the map share one address and one filter state.
        try:
            view = view_name(request.GET)
        except ViewError as error:
            context = {"error": str(error), "view_links": view_links(request.GET, None)}
            return render(request, "timeline/event_view_error.html", context, status=400)
        if view == "timeline":
            return EventTimelineView.as_view()(request, *args, **kwargs)
        if view == "map":
            return EventMapView.as_view()(request, *args, **kwargs)
        response = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = with_rows(context["events"], self.request.user)
        context["filter_fields"] = filter_fields(self.filterset.form)
        context["active_filters"] = active_filters(self.request.GET, self.filterset)
        context["view_links"] = view_links(self.request.GET, "list")
        context["view"] = "list"
        context["chronological"] = self.request.GET.get("sort", "date") in ("date", "-date")
        return context


def filter_fields(form):
    """Return the filter form's fields as HTML, kept until content changes.

    Drawing the form's fields through Django's form templates took a fifth of a
    timeline page; their HTML depends only on the values asked for and on the lists
    of periods and kinds, which change only with the content. A form with errors is
    drawn afresh each time.
    """
    html = partial(render_to_string, "includes/filter_fields.html", {"form": form})
    if form.errors:
        return html()
    return cached(f"filter-fields:{form_digest(form)}", html)


def form_digest(form, *extra):
    """Return a digest of the values a form was asked for (and of extra), for a cache key.

    Only the form's own fields count: a parameter it does not read (a page number, a
    tracking tag) does not make a new key.
    """
    values = [(name, form.data.getlist(name)) for name in form.fields]
    return hashlib.sha256(repr((values, *extra)).encode()).hexdigest()


def active_filters(params, filterset):
    """Return a label and a URL without that value, for each filter in use."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    labels = filterset.labels()
    names = {
        "q": "Search",
        "period": "Period",
        "person": "Person",
        "place": "Place",
        "kind": "Kind",
        "source": "Source",
        "start": "From",
        "end": "To",
    }
    active = []
    for name, title in names.items():
        for value in params.getlist(name):
            if not value:
                continue
            remaining = [
                (key, item)
                for key in params
                if key != "page"
                for item in params.getlist(key)
                if not (key == name and item == value)
            ]
            label = labels.get(name, {}).get(value, value).strip()
            active.append(
                {
                    "name": title,
                    "value": label,
                    "remove_url": "?" + urlencode(remaining) if remaining else "?",
                }
            )
    return active


class NameSuggestionsView(View):
    """Names for the timeline's person, place and source fields, as the reader types."""

    FIELDS = ("person", "place", "source")

    def get(self, request, *args, **kwargs):
        name, text = request.GET.get("for", ""), request.GET.get("q", "")[:MAX_QUERY_LENGTH]
        if name not in self.FIELDS:
            return JsonResponse({"error": "Ask for=person, place or source."}, status=400)
        field = EventFilter.base_filters[name].field
        return JsonResponse({"names": field.suggestions(text) if search_words(text) else []})


class EventDetailView(CiteMixin, IllustratedMixin, CitedMixin, DetailView):
    template_name = "timeline/event_detail.html"

    def get_queryset(self):
        user = self.request.user
        return Event.objects.visible_to(user).with_related(user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        timeline = Event.objects.visible_to(self.request.user)
        context["previous_event"] = timeline.before(event).first()
        context["next_event"] = timeline.after(event).first()
        return context


class PersonListView(BreadcrumbsMixin, ListPagesMixin, ListView):
    what = "the people"
    breadcrumb = "People"

    template_name = "timeline/person_list.html"
    context_object_name = "people"

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user).order_by("sort_name", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["people"] = Person.objects.event_counts(context["people"])
        return context


class PersonDetailView(CiteMixin, IllustratedMixin, PagedMixin, CitedMixin, DetailView):
    template_name = "timeline/person_detail.html"

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user)

    def render_cited_text(self, notes):
        return {"biography_html": notes.lead(self.object.biography)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = Event.objects.visible_to(self.request.user).involving(self.object)
        events = events.with_role_of(self.object)
        context.update(self.paginate(events.chronological(), "this person's events", "events"))
        return context


class PlaceListView(BreadcrumbsMixin, ListPagesMixin, ListView):
    what = "the places"
    breadcrumb = "Places"

    template_name = "timeline/place_list.html"
    context_object_name = "places"

    def get_queryset(self):
        places = Place.objects.visible_to(self.request.user).select_related("parent")
        return places.order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["places"] = Place.objects.event_counts(context["places"])
        return context


class PlaceDetailView(CiteMixin, IllustratedMixin, PagedMixin, CitedMixin, DetailView):
    template_name = "timeline/place_detail.html"

    def get_queryset(self):
        return Place.objects.visible_to(self.request.user).select_related("parent")

    def render_cited_text(self, notes):
        return {"description_html": notes.lead(self.object.description)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["children"] = self.object.children.visible_to(user)
        located = Place.objects.visible_to(user).within(self.object).exclude(latitude=None)
        context["place_map"] = place_map(self.object, located.order_by("name"))
        events = Event.objects.visible_to(user).at_place(self.object).chronological()
        context.update(self.paginate(events.select_related("period"), "the events here", "events"))
        context["events"] = with_rows(context["events"], user, show_details=False)
        return context


class SourceListView(BibliographyLinksMixin, ListPagesMixin, ListView):
    what = "the sources"
    breadcrumb = "Sources"

    template_name = "timeline/source_list.html"
    context_object_name = "sources"

    def get_queryset(self):
        return Source.objects.visible_to(self.request.user).with_related().in_index_order()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sources"] = Source.objects.citation_counts(context["sources"])
        return context


class SourceDetailView(CiteMixin, PagedMixin, DetailView):
    template_name = "timeline/source_detail.html"

    def get_queryset(self):
        return Source.objects.visible_to(self.request.user).with_related()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        citations = self.object.citations.visible_to(user).with_targets().by_locator()
        context.update(self.paginate(citations, "this source's citations", "citations"))
        context["documents"] = self.object.documents_named.visible_to(user)
        return context


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "That search is too long; use at most %(limit_value)d characters."
        },
    )


class SearchView(BreadcrumbsMixin, TemplateView):
    """Events, people, places, periods and sources that match the words, accents optional."""

    breadcrumb = "Search"

    template_name = "timeline/search.html"
    # The best of each kind; the timeline, which takes the same words, lists every
    # matching event, and more words narrow the rest.
    LIMIT = 20

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.context_data["error"]:
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET)
        context.update(form=form, query="", error="", results=[], total=0)
        if not form.is_valid():
            context["error"] = " ".join(form.errors["q"])
            context["query"] = self.request.GET.get("q", "")[:200]
            return context
        query = context["query"] = form.cleaned_data["q"]
        if not search_words(query):
            return context
        context["results"] = search.search_site(query, self.LIMIT, self.request.user)
        context["common"] = f"{search.COMMON:,}"
        context["total"] = sum(len(found.rows) for found in context["results"])
        context["more"] = any(found.more for found in context["results"])
        context["ranked"] = all(found.ranked for found in context["results"])
        context["timeline_url"] = reverse("timeline:event-list") + "?" + urlencode({"q": query})
        return context
