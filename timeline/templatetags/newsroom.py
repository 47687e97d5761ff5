"""The admin's front page as a newsroom's dashboard."""

from django import template
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from timeline import sourcing
from timeline.models import Event, Period, Person, Place, Source
from timeline.models.publication import Publishable

register = template.Library()

REVIEWED = (Event, Person, Place, Period, Source)
LATEST = 12


@register.simple_tag(takes_context=True)
def dashboard(context):
    """Return what awaits review, the latest changes by anyone, and the sourcing check."""
    user = context["request"].user
    awaiting = []
    for model in REVIEWED:
        if not user.has_perm(f"timeline.view_{model._meta.model_name}"):
            continue
        for item in model.objects.filter(status=Publishable.Status.REVIEW).order_by("-modified_at"):
            url = reverse(f"admin:timeline_{model._meta.model_name}_change", args=[item.pk])
            awaiting.append({"item": item, "kind": model._meta.verbose_name, "url": url})
    changes = LogEntry.objects.select_related("user", "content_type").order_by("-action_time")
    report = sourcing.check()
    return {
        "awaiting": awaiting,
        "changes": changes[:LATEST],
        "problems": len(report.errors),
        "warnings": len(report.warnings),
    }
