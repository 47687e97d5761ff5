"""The editors' side: every model, with citations and participants edited in place."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from timeline import dates
from timeline.admin_history import HistoryAdmin
from timeline.citations import check_markers
from timeline.models import (
    Citation,
    Event,
    EventKind,
    Participation,
    Period,
    Person,
    Place,
    Source,
    Topic,
)
from timeline.models.base import search_words

admin.site.site_header = "histsite editors"
admin.site.site_title = "histsite admin"
admin.site.index_title = "Content"


class EDTFInput(forms.TextInput):
    """A text input for an EDTF date that shows the date's human reading beside it."""

    template_name = "admin/widgets/edtf_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        reading, error = "", ""
        if value:
            try:
                reading = dates.parse(value).reading
            except forms.ValidationError as exc:
                error = exc.messages[0]
        context["widget"].update(reading=reading, reading_error=error)
        return context


class DatedAdminForm(forms.ModelForm):
    class Meta:
        widgets = {"date": EDTFInput(attrs={"size": 24, "class": "edtf-input"})}


class CitationInlineFormSet(BaseInlineFormSet):
    """Give each citation form its target object, even before the target is saved.

    Citation.clean() checks that exactly one target is set; on an add page the
    target has no id yet, so the unsaved object stands in for it.
    """

    text_fields = ("lead", "summary", "body", "biography", "description")

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        setattr(form.instance, self.fk.name, self.instance)
        return form

    def clean(self):
        """Reject a [^key] marker in the item's text that none of its citations has."""
        super().clean()
        keys = {
            form.cleaned_data.get("key") or form.instance.key
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        }
        for name in self.text_fields:
            if hasattr(self.instance, name):
                label = self.instance._meta.get_field(name).verbose_name
                check_markers(getattr(self.instance, name), keys, field_label=label)


class CitationInline(admin.StackedInline):
    model = Citation
    formset = CitationInlineFormSet
    extra = 0
    autocomplete_fields = ("source",)
    fields = (
        ("source", "locator_label", "locator"),
        "quotation",
        "note",
        ("key", "order"),
    )
    classes = ("citations",)


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ("person",)
    fields = ("person", "role", "order")


class PersonParticipationInline(ParticipationInline):
    autocomplete_fields = ("event",)
    fields = ("event", "role", "order")
    verbose_name = "part in an event"
    verbose_name_plural = "parts in events"


class SlugMediaMixin:
    """Make slugs that break words at dashes, as timeline.text.slugify does."""

    class Media:
        js = ("js/admin-slugs.js",)


class FoldedSearchMixin:
    """Search the folded text too, so "karolyi" finds "Károlyi" in the admin."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_words(search_term):
            folded = queryset.search(search_term).values("pk")
            results = queryset.filter(Q(pk__in=results.values("pk")) | Q(pk__in=folded))
        return results, may_have_duplicates


class CitationCountMixin:
    """Count each row's citations (or another relation, named by count_of)."""

    count_of = "citations"

    def get_queryset(self, request):
        # An aggregate drops the model's default ordering; autocomplete pages need one.
        ordering = self.get_ordering(request) or self.model._meta.ordering
        return (
            super()
            .get_queryset(request)
            .annotate(related_count=Count(self.count_of))
            .order_by(*ordering)
        )

    @admin.display(description="citations", ordering="related_count")
    def citations_count(self, obj):
        return obj.related_count


@admin.register(Topic)
class TopicAdmin(SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "slug", "citations_count")
    search_fields = ("title",)
    prepopulated_fields = {"slug": ("title",)}
    inlines = (CitationInline,)


@admin.register(Period)
class PeriodAdmin(SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin):
    form = DatedAdminForm
    list_display = (
        "title",
        "date_reading_display",
        "parent",
        "order",
        "citations_count",
    )
    list_editable = ("order",)
    list_filter = ("parent",)
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "date", "parent", "order")}),
        ("Text", {"fields": ("summary", "body")}),
    )
    inlines = (CitationInline,)

    @admin.display(description="date", ordering="date_earliest")
    def date_reading_display(self, obj):
        return obj.date_reading


@admin.register(EventKind)
class EventKindAdmin(SlugMediaMixin, CitationCountMixin, HistoryAdmin):
    count_of = "events"
    list_display = ("name", "slug", "event_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description="events", ordering="related_count")
    def event_count(self, obj):
        return obj.related_count


@admin.register(Event)
class EventAdmin(SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin):
    form = DatedAdminForm
    list_display = (
        "title",
        "date_text_display",
        "period",
        "status",
        "featured",
        "citations_count",
    )
    list_filter = ("status", "featured", "kinds", "period")
    list_select_related = ("period",)
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("period", "places", "kinds")
    ordering = ("date_earliest", "date_latest", "time")
    actions = ("publish", "unpublish")
    fieldsets = (
        (None, {"fields": ("title", "slug", ("date", "time"), "period")}),
        ("What and where", {"fields": ("kinds", "places")}),
        ("Text", {"fields": ("summary", "body")}),
        ("Publication", {"fields": ("status", "featured")}),
    )
    inlines = (ParticipationInline, CitationInline)

    @admin.display(description="date", ordering="date_earliest")
    def date_text_display(self, obj):
        return obj.date_text

    @admin.action(description="Publish the selected events")
    def publish(self, request, queryset):
        self._set_status(request, queryset, Event.Status.PUBLISHED)

    @admin.action(description="Withdraw the selected events to draft")
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Event.Status.DRAFT)

    def _set_status(self, request, queryset, status):
        changed = 0
        for event in queryset.exclude(status=status):
            event.status = status
            event.save(update_fields=["status"])
            self.log_change(request, event, f"Set status to {event.get_status_display()}.")
            changed += 1
        label = Event.Status(status).label.lower()
        self.message_user(request, f"{changed} event(s) set to {label}.", messages.SUCCESS)


@admin.register(Person)
class PersonAdmin(SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin):
    list_display = (
        "name",
        "native_name",
        "title_summary",
        "featured",
        "citations_count",
    )
    list_filter = ("featured",)
    search_fields = ("name", "native_name", "sort_name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "native_name", "sort_name", "slug")}),
        ("About", {"fields": ("titles", "biography", ("born", "died"), "featured")}),
    )
    inlines = (PersonParticipationInline, CitationInline)

    @admin.display(description="titles")
    def title_summary(self, obj):
        return "; ".join(obj.title_list)


@admin.register(Place)
class PlaceAdmin(SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin):
    list_display = ("name", "kind", "parent", "other_names_display", "citations_count")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "other_names", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    inlines = (CitationInline,)

    @admin.display(description="other names")
    def other_names_display(self, obj):
        return ", ".join(obj.other_name_list)


@admin.register(Source)
class SourceAdmin(SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "csl_type", "known_through", "citations_count")
    list_filter = ("csl_type", ("known_through", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("known_through",)
    search_fields = ("title", "authors", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("known_through",)
    fieldsets = (
        (None, {"fields": ("csl_type", "title", "slug", "authors")}),
        (
            "Publication",
            {"fields": ("container_title", "publisher", "issued", "url", "accessed")},
        ),
        ("Rights", {"fields": ("licence", "licence_url", "attribution")}),
        ("Provenance", {"fields": ("known_through", "known_through_locator", "note")}),
    )


@admin.register(Citation)
class CitationAdmin(HistoryAdmin):
    list_display = (
        "key",
        "source",
        "locator_display",
        "target_display",
        "has_quotation",
    )
    list_filter = ("locator_label", "source")
    list_select_related = ("source", "topic", "period", "event", "person", "place")
    search_fields = ("key", "locator", "quotation", "note", "source__title")
    autocomplete_fields = ("source", "topic", "period", "event", "person", "place")
    fieldsets = (
        (
            None,
            {"fields": ("source", ("locator_label", "locator"), "quotation", "note")},
        ),
        (
            "What it supports (exactly one)",
            {"fields": ("event", "person", "period", "place", "topic")},
        ),
        (None, {"fields": ("key", "order")}),
    )

    @admin.display(description="locator", ordering="locator")
    def locator_display(self, obj):
        return obj.locator_text

    @admin.display(description="supports")
    def target_display(self, obj):
        target = obj.target
        if target is None:
            return "—"
        return format_html("{} <small>({})</small>", target, target._meta.verbose_name)

    @admin.display(description="quotation", boolean=True)
    def has_quotation(self, obj):
        return bool(obj.quotation)


@admin.register(Participation)
class ParticipationAdmin(HistoryAdmin):
    list_display = ("person", "event", "role")
    list_select_related = ("person", "event")
    search_fields = ("person__name", "event__title", "role")
    autocomplete_fields = ("person", "event")
