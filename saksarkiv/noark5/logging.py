"""loggingogsporing/: the change log."""

from django.urls import path

from saksarkiv.noark5 import views

urlpatterns = [
    path("", views.Noark5View.as_view(), name="logging"),
]
