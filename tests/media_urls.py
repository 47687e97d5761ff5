"""The site's URLs with /media/ served by Django, for live-server tests with DEBUG off
(in development histsite/urls.py adds the same; in production nginx serves /media/)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from histsite.urls import urlpatterns as site_urlpatterns


def media(request, path):
    # MEDIA_ROOT is read per request: each test sets its own.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site_urlpatterns]
