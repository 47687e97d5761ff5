"""The editors' side: every model, with citations and participants edited in place."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from timeline import dates, sourcing
from timeline.admin_history import HistoryAdmin
from timeline.admin_workflow import PublicationAdminMixin
from timeline.citations import check_markers
from timeline.models import (
    Citation,
    Event,
    EventKind,
    Illustration,
    Image,
    Participation,
    Period,
    Person,
    Place,
    Source,
    Topic,
)
from timeline.models.base import search_words, validate_edtf
from timeline.models.events import CITATION_NEEDED

admin.site.site_header = "histsite editors"
admin.site.site_title = "histsite admin"
admin.site.index_title = "Content"
# The models are one click away on the front page and in the breadcrumbs; without the
# side list, change lists keep their columns on a 1280 px screen.
admin.site.enable_nav_sidebar = False


class EDTFInput(forms.TextInput):
    """A text input for an EDTF date that shows its reading and bounds beside it.

    The server renders the reading, so it shows without JavaScript; edtf-reading.js
    updates it as the editor types. A value that does not parse shows nothing here:
    the field's error list already says why, and once is enough.
    """

    template_name = "admin/widgets/edtf_input.html"

    class Media:
        js = ("admin/js/edtf-reading.js",)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        try:
            parsed = dates.parse(value) if value else None
        except forms.ValidationError:
            parsed = None
        context["widget"]["date"] = parsed
        context["widget"]["attrs"]["data-reading-url"] = reverse("edtf-reading")
        return context


class DatedAdminForm(forms.ModelForm):
    """Give every EDTF field of the model (those validate_edtf checks) the EDTF input."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for model_field in self._meta.model._meta.fields:
            field = self.fields.get(model_field.name)
            if field is not None and validate_edtf in model_field.validators:
                attrs = {**field.widget.attrs, "size": 24, "class": "edtf-input"}
                field.widget = EDTFInput(attrs=attrs)
                field.widget.is_required = field.required


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
        """Reject a [^key] marker that none of the item's citations has, and an event
        published without a citation that gives a locator."""
        super().clean()
        kept = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        keys = {form.cleaned_data.get("key") or form.instance.key for form in kept}
        for name in self.text_fields:
            if hasattr(self.instance, name):
                label = self.instance._meta.get_field(name).verbose_name
                check_markers(getattr(self.instance, name), keys, field_label=label)
        if isinstance(self.instance, Event) and self.instance.is_published:
            if not any(form.instance.is_located for form in kept):
                raise forms.ValidationError(CITATION_NEEDED, code="citation_needed")


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


def image_preview(image, width=160):
    """Return a small picture of an image for the admin, or a dash before it has one."""
    if image is None or not image.renditions:
        return "—"
    scaled = round(image.height * width / image.width) if image.width else width
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="image-preview">',
        image.thumbnail,
        width,
        scaled,
        image.alt,
    )


class IllustrationInlineFormSet(BaseInlineFormSet):
    """Allow one lead picture per item, with a sentence rather than an IntegrityError."""

    def clean(self):
        super().clean()
        leads = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("lead")
        ]
        if len(leads) > 1:
            raise forms.ValidationError(
                f"Mark one picture as the lead, not {len(leads)}.", code="one_lead"
            )


class IllustrationInline(admin.TabularInline):
    """Pictures shown with an item, in order; the image is chosen, so one is reused."""

    model = Illustration
    formset = IllustrationInlineFormSet
    extra = 0
    autocomplete_fields = ("image",)
    fields = ("image", "preview", "lead", "order")
    readonly_fields = ("preview",)
    verbose_name = "picture"
    verbose_name_plural = "pictures"

    @admin.display(description="preview")
    def preview(self, obj):
        return image_preview(obj.image if obj.image_id else None, width=120)


class SlugMediaMixin:
    """Make slugs that break words at dashes, as timeline.text.slugify does."""

    class Media:
        js = ("js/admin-slugs.js",)


class FoldedSearchMixin:
    """Search the folded text too, so "karolyi" finds "Károlyi" in the admin."""

    def get_search_results(self, request, queryset, search_term):
        if request.path.endswith("/autocomplete/") and search_words(search_term):
            # Offer only rows whose words start with every word typed, best match first:
            # "Kadar" puts Kádár first, "After the Hung" offers that one period.
            return queryset.order_by().search(search_term, names_only=True), False
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
class PeriodAdmin(
    PublicationAdminMixin, SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin
):
    form = DatedAdminForm
    list_display = (
        "title",
        "date_reading_display",
        "parent",
        "order",
        "status",
        "citations_count",
    )
    list_editable = ("order",)
    list_filter = ("status", "parent")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "date", "parent", "topic", "order")}),
        ("Text", {"fields": ("summary", "body")}),
        ("Publication", {"fields": ("status", "publication_record")}),
    )
    inlines = (CitationInline, IllustrationInline)

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
class EventAdmin(
    PublicationAdminMixin, SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin
):
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
    fieldsets = (
        (None, {"fields": ("title", "slug", ("date", "time"), "period")}),
        ("What and where", {"fields": ("kinds", "places")}),
        ("Text", {"fields": ("summary", "body")}),
        ("Publication", {"fields": ("status", "featured", "publication_record")}),
    )
    inlines = (ParticipationInline, CitationInline, IllustrationInline)

    @admin.display(description="date", ordering="date_earliest")
    def date_text_display(self, obj):
        return obj.date_text


@admin.register(Person)
class PersonAdmin(
    PublicationAdminMixin, SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin
):
    form = DatedAdminForm
    list_display = (
        "name",
        "native_name",
        "title_summary",
        "featured",
        "status",
        "citations_count",
    )
    list_filter = ("status", "featured")
    search_fields = ("name", "native_name", "sort_name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "native_name", "sort_name", "slug")}),
        ("About", {"fields": ("titles", "biography", ("born", "died"), "featured")}),
        ("Publication", {"fields": ("status", "publication_record")}),
    )
    inlines = (PersonParticipationInline, CitationInline, IllustrationInline)

    @admin.display(description="titles")
    def title_summary(self, obj):
        return "; ".join(obj.title_list)


@admin.register(Place)
class PlaceAdmin(
    PublicationAdminMixin, SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin
):
    list_display = ("name", "kind", "parent", "other_names_display", "status", "citations_count")
    list_filter = ("status", "kind")
    fieldsets = (
        (None, {"fields": ("name", "other_names", "kind", "parent", "slug", "description")}),
        ("Coordinates, from GeoNames only", {"fields": ("latitude", "longitude")}),
        ("Publication", {"fields": ("status", "publication_record")}),
    )
    list_select_related = ("parent",)
    search_fields = ("name", "other_names", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    inlines = (CitationInline, IllustrationInline)

    @admin.display(description="other names")
    def other_names_display(self, obj):
        return ", ".join(obj.other_name_list)


@admin.register(Source)
class SourceAdmin(
    PublicationAdminMixin, SlugMediaMixin, FoldedSearchMixin, CitationCountMixin, HistoryAdmin
):
    form = DatedAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "csl_type", "known_through", "status", "citations_count")
    list_filter = ("status", "csl_type", ("known_through", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("known_through",)
    search_fields = ("title", "names_text", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("known_through",)
    fieldsets = (
        (None, {"fields": ("csl_type", "title", "slug", "authors", "editors")}),
        (
            "Publication",
            {
                "fields": (
                    "container_title",
                    ("publisher", "publisher_place"),
                    "issued",
                    ("page", "version"),
                    "doi",
                    "url",
                    "accessed",
                )
            },
        ),
        ("Rights", {"fields": ("licence", "licence_url", "attribution")}),
        ("Provenance", {"fields": ("known_through", "known_through_locator", "note")}),
        ("Full text", {"fields": ("text",), "classes": ("collapse",)}),
        ("Publication", {"fields": ("status", "publication_record")}),
    )

    def get_urls(self):
        return [*sourcing.admin_urls(self), *super().get_urls()]


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


@admin.register(Image)
class ImageAdmin(PublicationAdminMixin, SlugMediaMixin, admin.ModelAdmin):
    """Pictures: uploaded once, checked and cleaned (timeline/images.py), shown anywhere."""

    list_display = ("preview_small", "alt", "credit", "licence", "status", "size_display")
    list_filter = ("status", "licence")
    search_fields = ("alt", "caption", "credit", "slug")
    prepopulated_fields = {"slug": ("alt",)}
    autocomplete_fields = ("source",)
    readonly_fields = ("preview", "size_display", "publication_record")
    fieldsets = (
        (None, {"fields": ("file", "preview", "size_display", "alt", "slug", "caption")}),
        ("Rights", {"fields": ("credit", "licence", "licence_note")}),
        ("Source", {"fields": ("source", ("locator_label", "locator"))}),
        ("Publication", {"fields": ("status", "publication_record")}),
    )

    @admin.display(description="preview")
    def preview(self, obj):
        return image_preview(obj, width=320)

    @admin.display(description="picture")
    def preview_small(self, obj):
        return image_preview(obj, width=80)

    @admin.display(description="size")
    def size_display(self, obj):
        if obj is None or not obj.width:
            return "—"
        return f"{obj.width} × {obj.height} pixels"
