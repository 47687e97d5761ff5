"""The timeline's filters: every choice is a slug in the URL, so a view can be shared."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from timeline import dates
from timeline.models import Event, EventKind, Period, Person, Place, Source

MAX_QUERY_LENGTH = 200


class HistoricalDateField(forms.Field):
    """A form field for a year, month or day ("1945", "1956-11", "1956-11-04")."""

    widget = forms.TextInput(attrs={"maxlength": 30, "size": 12})

    def __init__(self, *args, bound="earliest", **kwargs):
        self.bound = bound
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        if len(value) > 30:
            raise ValidationError("Give a date of at most 30 characters.", code="max_length")
        try:
            parsed = dates.parse(value)
        except ValidationError:
            raise ValidationError(
                "“%(value)s” is not a date. Give a year (1956), a month (1956-11) or a "
                "day (1956-11-04).",
                code="invalid",
                params={"value": value},
            ) from None
        return getattr(parsed, self.bound)


class HistoricalDateFilter(django_filters.Filter):
    field_class = HistoricalDateField


def taxonomy_choices():
    """Return the choices of every select in one place, one query per table."""
    return {
        "period": Period.objects.indented_choices("title"),
        "person": list(Person.objects.values_list("slug", "name")),
        "place": list(Place.objects.values_list("slug", "name")),
        "kind": list(EventKind.objects.values_list("slug", "name")),
        "source": list(Source.objects.values_list("slug", "title")),
    }


class EventFilterForm(forms.Form):
    def clean(self):
        """Refuse a date range that ends before it starts, saying so."""
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None and end < start:
            raise ValidationError(
                "The date range is reversed: “From” (%(start)s) comes after “To” (%(end)s). "
                "Swap the two dates.",
                code="reversed",
                params={"start": self.data.get("start"), "end": self.data.get("end")},
            )
        return cleaned


class EventFilter(django_filters.FilterSet):
    SORTS = (
        ("date", "Earliest first"),
        ("-date", "Latest first"),
        ("title", "Title, A–Z"),
    )

    q = django_filters.CharFilter(
        label="Search",
        method="filter_text",
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "That search is too long; use at most %(limit_value)d characters."
        },
        help_text="Words in the title, text, people or places; accents optional.",
    )
    period = django_filters.ChoiceFilter(
        label="Period", method="filter_period", empty_label="Any period"
    )
    person = django_filters.ChoiceFilter(
        label="Person", method="filter_person", empty_label="Anyone"
    )
    place = django_filters.ChoiceFilter(
        label="Place", method="filter_place", empty_label="Anywhere"
    )
    kind = django_filters.MultipleChoiceFilter(
        label="Kind", method="filter_kind", widget=forms.CheckboxSelectMultiple
    )
    source = django_filters.ChoiceFilter(
        label="Source", method="filter_source", empty_label="Any source"
    )
    start = HistoricalDateFilter(
        label="From", method="filter_start", help_text="A year, month or day: 1945, 1956-11."
    )
    end = HistoricalDateFilter(
        label="To", method="filter_end", bound="latest", help_text="A year, month or day."
    )
    sort = django_filters.ChoiceFilter(
        label="Order", choices=SORTS, method="filter_sort", empty_label=None
    )

    class Meta:
        model = Event
        fields = ()
        form = EventFilterForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.choices = taxonomy_choices()
        for name in ("period", "person", "place", "kind", "source"):
            self.filters[name].extra["choices"] = self.choices[name]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_period(self, queryset, name, value):
        return queryset.in_period(value)

    def filter_person(self, queryset, name, value):
        return queryset.involving(value)

    def filter_place(self, queryset, name, value):
        return queryset.at_place(value)

    def filter_kind(self, queryset, name, value):
        return queryset.of_kind(value) if value else queryset

    def filter_source(self, queryset, name, value):
        return queryset.citing(value)

    def filter_start(self, queryset, name, value):
        return queryset.overlapping(start=value)

    def filter_end(self, queryset, name, value):
        return queryset.overlapping(end=value)

    def filter_sort(self, queryset, name, value):
        if value == "title":
            return queryset.order_by("title", "date_earliest")
        return queryset.by_period(reverse=value == "-date")

    def labels(self):
        """Return the label of each choice, by filter name and slug."""
        return {
            name: dict(self.choices[name])
            for name in ("period", "person", "place", "source", "kind")
        }
