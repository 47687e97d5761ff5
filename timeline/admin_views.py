"""Admin pages that belong to no model: the EDTF reading the date inputs ask for."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from timeline import dates


@require_GET
def edtf_reading(request):
    """Return an EDTF value's reading and bounds as JSON, or why it is refused (400)."""
    try:
        parsed = dates.parse(request.GET.get("value", ""))
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    return JsonResponse(
        {
            "reading": parsed.reading,
            "earliest": parsed.earliest.isoformat(),
            "latest": parsed.latest.isoformat(),
        }
    )


# admin_view() lets staff members in and sends anyone else to the admin's login page.
urlpatterns = [
    path("edtf-reading/", admin.site.admin_view(edtf_reading), name="edtf-reading"),
]
