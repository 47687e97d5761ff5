"""The site's URLs and one that fails, for the logging tests."""

from django.urls import include, path


def fail(request):
    raise RuntimeError("a failure for the log test")


urlpatterns = [path("fail/", fail), path("", include("histsite.urls"))]
