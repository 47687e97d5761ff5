"""The page an editor sees when django-axes refuses a sign-in: the admin's, saying until when."""

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import Max
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """Render the sign-in page with the lock's end in place of the form, as 429."""
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    last_failure = AccessAttempt.objects.filter(
        username=username, ip_address=request.axes_ip_address
    ).aggregate(last=Max("attempt_time"))["last"]
    context = {
        **admin.site.each_context(request),
        "title": "Signing in is locked",
        "username": username,
        "cool_off_minutes": round(cool_off.total_seconds() / 60),
        "locked_until": (last_failure or request.axes_attempt_time) + cool_off,
    }
    # Rendered now: django-axes swaps it in from a middleware, after template responses render.
    return render(request, "admin/locked_out.html", context, status=429)
