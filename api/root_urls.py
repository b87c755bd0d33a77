"""The URL root (``ROOT_URLCONF``): the API, its schema and docs, health probes, the calendar feed
and the admin. It lives in ``api/``, the top layer, because it names views of every layer; the
domain below never imports it."""

from django.contrib import admin
from django.urls import include, path

from casework import health

from .court.views import calendar_feed
from .docs import DocsView, SchemaView

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("status", health.status, name="status"),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="docs"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed-ics"),
    path("admin/", admin.site.urls),
    # The console sits beside the API, not under it: named here by its module, not imported.
    path("app/", include("console.urls")),
]

handler400 = "api.errors.handler400"
handler403 = "api.errors.handler403"
handler404 = "api.errors.handler404"
handler500 = "api.errors.handler500"
