"""Public pages: the timeline, and a page for every period, event, person, place and source."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import Http404
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from timeline.citations import Notes
from timeline.filters import MAX_QUERY_LENGTH, EventFilter
from timeline.models import Citation, Event, Participation, Period, Person, Place, Source, Topic
from timeline.models.base import search_words

PAGE_SIZE = 25
MAX_PAGE = 10**6


class CitedMixin:
    """Number the object's citations as footnotes and hand the page its References."""

    def get_citations(self):
        return self.object.citations.with_related().order_by("order", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notes = Notes(self.get_citations())
        context.update(self.render_cited_text(notes))
        context["reference_groups"] = notes.groups()
        return context

    def render_cited_text(self, notes):
        """Return the summary and body with their markers, numbered in reading order."""
        return {
            "summary_html": notes.lead(self.object.summary, self.object.body),
            "body_html": notes.paragraphs(self.object.body),
        }


class HomeView(TemplateView):
    template_name = "timeline/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        topic = Topic.objects.order_by("pk").first()
        notes = Notes(topic.citations.with_related() if topic else [])
        context["topic"] = topic
        context["lead_html"] = notes.lead(topic.lead) if topic else ""
        context["reference_groups"] = notes.groups()
        context["band"] = period_band(Period.objects.top_level().order_by("order", "date_earliest"))
        context["key_events"] = (
            Event.objects.published().filter(featured=True).chronological().select_related("period")
        )
        context["key_people"] = Person.objects.featured()
        return context


BAND_START, BAND_END = 1918, 1992


def period_band(periods):
    """Return each top-level period with its offset and width as percentages of 1918–1991."""
    span = BAND_END - BAND_START
    band = []
    for period in periods:
        start = max(fractional_year(period.date_earliest), BAND_START)
        end = min(fractional_year(period.date_latest), BAND_END)
        band.append(
            {
                "period": period,
                "left": round((start - BAND_START) / span * 100, 2),
                "width": max(round((end - start) / span * 100, 2), 0.8),
            }
        )
    return band


def fractional_year(day):
    """Return a day as a year with its fraction: 1 July 1956 is about 1956.5."""
    return day.year + day.timetuple().tm_yday / 366


class PeriodListView(ListView):
    template_name = "timeline/period_list.html"
    context_object_name = "periods"

    def get_queryset(self):
        return Period.objects.with_event_count().order_by("order", "date_earliest")


class PeriodDetailView(CitedMixin, DetailView):
    template_name = "timeline/period_detail.html"
    queryset = Period.objects.with_related()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.object
        context["children"] = period.children.all()
        context["events"] = (
            Event.objects.published()
            .filter(period=period)
            .chronological()
            .prefetch_related("places")
        )
        return context


class EventListView(FilterView):
    """The filterable timeline."""

    template_name = "timeline/event_list.html"
    filterset_class = EventFilter
    context_object_name = "events"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        # Grouped by period, then in time, so each period's heading appears once.
        return Event.objects.published().with_related().by_period()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400
        return response

    def paginate_queryset(self, queryset, page_size):
        """Return one page, counting the whole result in the same query.

        A window count rides along with the page's rows, so the page and its total
        cost one query, not two.
        """
        number = self.request.GET.get("page") or "1"
        # isdigit() takes "²", which int() refuses, and int() refuses 4,300 digits and
        # more, so a page number is a short run of ASCII digits.
        ascii_number = number.isascii() and number.isdecimal() and len(number) <= 10
        if not ascii_number or not 1 <= int(number) <= MAX_PAGE:
            raise Http404(f"There is no page “{number[:30]}” of the timeline.")
        number = int(number)
        offset = (number - 1) * page_size
        rows = list(
            queryset.annotate(result_count=Window(Count("pk")))[offset : offset + page_size]
        )
        count = rows[0].result_count if rows else queryset.count()
        paginator = Paginator(queryset, page_size)
        paginator.count = count
        if number > paginator.num_pages:
            raise Http404(f"There is no page {number} of this list; it has {paginator.num_pages}.")
        page = paginator.page(number)
        page.object_list = rows
        return paginator, page, rows, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_filters"] = active_filters(self.request.GET, self.filterset)
        context["chronological"] = self.request.GET.get("sort", "date") in ("date", "-date")
        return context


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


class EventDetailView(CitedMixin, DetailView):
    template_name = "timeline/event_detail.html"

    def get_queryset(self):
        return Event.objects.published().with_related()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        timeline = Event.objects.published()
        context["previous_event"] = timeline.before(event).first()
        context["next_event"] = timeline.after(event).first()
        return context


class PersonListView(ListView):
    template_name = "timeline/person_list.html"
    context_object_name = "people"

    def get_queryset(self):
        return Person.objects.with_event_count().order_by("sort_name", "name")


class PersonDetailView(CitedMixin, DetailView):
    template_name = "timeline/person_detail.html"
    queryset = Person.objects.all()

    def render_cited_text(self, notes):
        return {"biography_html": notes.lead(self.object.biography)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["participations"] = (
            Participation.objects.filter(person=self.object, event__status=Event.Status.PUBLISHED)
            .select_related("event", "event__period")
            .order_by("event__date_earliest", "event__date_latest", "event__time")
        )
        return context


class PlaceListView(ListView):
    template_name = "timeline/place_list.html"
    context_object_name = "places"

    def get_queryset(self):
        return Place.objects.select_related("parent").with_event_count().order_by("name")


class PlaceDetailView(CitedMixin, DetailView):
    template_name = "timeline/place_detail.html"
    queryset = Place.objects.select_related("parent")

    def render_cited_text(self, notes):
        return {"description_html": notes.lead(self.object.description)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["children"] = self.object.children.all()
        context["events"] = (
            Event.objects.published().at_place(self.object).chronological().select_related("period")
        )
        return context


class SourceListView(ListView):
    template_name = "timeline/source_list.html"
    context_object_name = "sources"

    def get_queryset(self):
        return (
            Source.objects.with_related()
            .annotate(citation_count=Count("citations"))
            .order_by("known_through__title", "title")
        )


class SourceDetailView(DetailView):
    template_name = "timeline/source_detail.html"
    queryset = Source.objects.with_related()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        citations = (
            Citation.objects.filter(source=source)
            .select_related("topic", "period", "event", "person", "place")
            .exclude(event__status=Event.Status.DRAFT)
            .order_by("locator_label", "locator", "order", "pk")
        )
        groups = {}
        for citation in citations:
            groups.setdefault(citation.locator_text or "No locator", []).append(citation)
        context["locator_groups"] = groups
        context["documents"] = source.documents_named.all()
        return context


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "That search is too long; use at most %(limit_value)d characters."
        },
    )


class SearchView(TemplateView):
    """Events, people, places, periods and sources that match the words, accents optional."""

    template_name = "timeline/search.html"
    LIMIT = 50

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
        limit = self.LIMIT
        results = [
            ("Events", Event.objects.published().search(query).chronological()[:limit]),
            ("People", Person.objects.search(query)[:limit]),
            ("Places", Place.objects.search(query)[:limit]),
            ("Periods", Period.objects.search(query)[:limit]),
            ("Sources", Source.objects.search(query)[:limit]),
        ]
        context["results"] = [(label, list(rows)) for label, rows in results]
        context["total"] = sum(len(rows) for _, rows in context["results"])
        return context
