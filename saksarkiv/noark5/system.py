"""admin/: the server's system information, its users and administrative units."""

from django.urls import path

from saksarkiv.noark5 import views

urlpatterns = [
    path("system/", views.Noark5View.as_view(), name="system"),
]
