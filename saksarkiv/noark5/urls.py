"""/api/noark5/: the service interface's root, its packages and their entities. Every address answers
with and without its closing slash (the standard's hrefs have it, a client may drop it)."""

from django.urls import include, path, re_path

from saksarkiv.noark5 import views

app_name = "noark5"

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
PACKAGE = r"(?P<package>arkivstruktur|sakarkiv)"
NAME = r"(?P<name>[a-zA-Z][a-zA-Z-]{0,59})"

urlpatterns = [
    path("", views.Root.as_view(), name="root"),
    path("metadata/", include("saksarkiv.noark5.metadata")),
    path("admin/", include("saksarkiv.noark5.system")),
    path("loggingogsporing/", include("saksarkiv.noark5.logging")),
    re_path(rf"^{PACKAGE}/?$", views.Package.as_view(), name="package"),
    re_path(rf"^{PACKAGE}/{NAME}/?$", views.Listing.as_view(), name="list"),
    re_path(rf"^{PACKAGE}/{NAME}/(?P<system_id>{UUID})/?$", views.Detail.as_view(), name="detail"),
    re_path(
        rf"^{PACKAGE}/{NAME}/(?P<system_id>{UUID})/(?P<segment>[a-zA-Z][a-zA-Z-]{{0,59}})/?$",
        views.Under.as_view(),
        name="under",
    ),
]
