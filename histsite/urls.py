from django.conf import settings
from django.conf.urls.static import static as media_static
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    """Answer browsers that ask for /favicon.ico on pages without an icon link (the admin)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        # Resolved per request: the hashed name exists only after collectstatic.
        return static("favicon.svg")


urlpatterns = [
    path("admin/", include("timeline.admin_views")),
    path("favicon.ico", FaviconView.as_view()),
    path("admin/", admin.site.urls),
    path("api/", include("timeline.api.urls")),
    path("", include("timeline.urls")),
]
# Uploaded pictures in development (make run); in production the web server in front
# of gunicorn serves /media/ from MEDIA_ROOT (see the README). Empty when DEBUG is off.
urlpatterns += media_static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
