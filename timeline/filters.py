"""The timeline's filters: every choice is a slug in the URL, so a view can be shared."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from timeline import dates
from timeline.cache import cached
from timeline.models import Event, EventKind, Period, Person, Place, Source
from timeline.models.base import search_words
from timeline.text import fold

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


class NamedObjectField(forms.CharField):
    """A text field that finds one person, place or source by its slug or its name.

    There are too many people, places and sources for a select; a reader types a
    name ("konev", accents optional) or follows a link that carries the slug, and
    the address keeps what was typed, so the view can be shared.
    """

    widget = forms.TextInput(attrs={"maxlength": 200, "autocomplete": "off", "spellcheck": "false"})
    MAX_OFFERED = 6

    def __init__(self, *args, queryset=None, name_field="name", noun="thing", **kwargs):
        # Set before the field's own __init__, which asks widget_attrs() for the noun.
        self.queryset, self.name_field, self.noun = queryset, name_field, noun
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        # site.js offers names as the reader types, from the suggestions endpoint.
        return {**super().widget_attrs(widget), "data-suggest": self.noun}

    def suggestions(self, text, limit=10):
        """Return up to limit names that contain every word of text, accents optional."""
        rows = self.queryset.search(text).order_by(self.name_field)
        return list(rows.values_list(self.name_field, flat=True)[:limit])

    def clean(self, value):
        """Return the one row the text names, or None for an empty field."""
        value = super().clean(value).strip()
        if not value:
            return None
        words = [word for word in search_words(value) if any(char.isalnum() for char in word)]
        if not words:
            raise ValidationError(
                "Type a name: “%(value)s” has no letters.", params={"value": value}
            )
        # A link's slug first: one read of the slug index, where a search for its
        # words ("gen", "person", "0") could match thousands of names.
        exact = self.queryset.filter(slug=value).first()
        if exact is not None:
            return exact
        found = self.queryset.search(value).order_by(self.name_field)[: self.MAX_OFFERED * 4]
        matches = [
            row
            for row in found
            if all(word in fold(getattr(row, self.name_field)) for word in words)
        ]
        if not matches:
            raise ValidationError(
                "No %(noun)s is named “%(value)s”.", params={"noun": self.noun, "value": value[:60]}
            )
        if len(matches) > 1:
            offered = "; ".join(
                getattr(row, self.name_field) for row in matches[: self.MAX_OFFERED]
            )
            raise ValidationError(
                "“%(value)s” names more than one %(noun)s: %(offered)s. Type more of the name.",
                params={"value": value[:60], "noun": self.noun, "offered": offered},
            )
        return matches[0]


class NamedObjectFilter(django_filters.Filter):
    field_class = NamedObjectField


def taxonomy_choices():
    """Return the choices of the short lists, periods and kinds, kept until content changes."""
    return cached(
        "filter-choices",
        lambda: {
            "period": Period.objects.published().indented_choices("title"),
            "kind": list(EventKind.objects.values_list("slug", "name")),
        },
    )


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
    person = NamedObjectFilter(
        label="Person",
        method="filter_person",
        queryset=Person.objects.published(),
        noun="person",
        help_text="A name, accents optional: konev, nagy imre.",
    )
    place = NamedObjectFilter(
        label="Place",
        method="filter_place",
        queryset=Place.objects.published(),
        noun="place",
        help_text="Places inside it count too: Budapest includes Buda.",
    )
    kind = django_filters.MultipleChoiceFilter(
        label="Kind", method="filter_kind", widget=forms.CheckboxSelectMultiple
    )
    source = NamedObjectFilter(
        label="Source",
        method="filter_source",
        queryset=Source.objects.published(),
        name_field="title",
        noun="source",
        help_text="A title; documents known through it count too.",
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
        for name in ("period", "kind"):
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
            return queryset.by_title()
        return queryset.by_period(reverse=value == "-date")

    def labels(self):
        """Return the label of each value in use, by filter name and value."""
        labels = {name: dict(self.choices[name]) for name in ("period", "kind")}
        for name in ("person", "place", "source"):
            found = self.form.cleaned_data.get(name)
            if found is not None:
                labels[name] = {self.form.data.get(name): str(found)}
        return labels
