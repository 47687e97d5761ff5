"""How the OpenAPI schema describes the timeline's filters.

drf-spectacular reads a FilterSet's parameter types from its model fields, which
the timeline's filters do not map to (a period is given by slug, a date may be a
year), so the parameters are described from the filters themselves: all text, a
list for the kinds, the orders as an enum.
"""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter

from timeline.filters import EventFilter


class EventFilterBackend(DjangoFilterBackend):
    """The timeline's EventFilter, for the API's events."""


class EventFilterExtension(OpenApiFilterExtension):
    target_class = EventFilterBackend
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = []
        for name, field in EventFilter.base_filters.items():
            schema = {"type": "string"}
            extra = {}
            if isinstance(field, django_filters.MultipleChoiceFilter):
                schema = {"type": "array", "items": {"type": "string"}}
                extra = {"explode": True, "style": "form"}
            if name == "sort":
                schema["enum"] = [value for value, _ in EventFilter.SORTS]
            parameters.append(
                build_parameter_type(
                    name=name,
                    schema=schema,
                    location=OpenApiParameter.QUERY,
                    description=str(field.extra.get("help_text") or field.label),
                    **extra,
                )
            )
        return parameters
