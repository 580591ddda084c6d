"""metadata/: the standard's code lists, each with the organisation's own additions."""

from django.urls import path, re_path

from saksarkiv.noark5 import views

urlpatterns = [
    path("", views.Noark5View.as_view(), name="metadata"),
    re_path(r"^(?P<kodeliste>[a-zA-Z][a-zA-Z-]{0,59})/?$", views.Noark5View.as_view(), name="kodeliste"),
]
