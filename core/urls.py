from django.urls import path

from core import views

urlpatterns = [
    path("", views.front_page, name="front_page"),
    path("healthz", views.healthz, name="healthz"),
    path("hjelp/", views.help_index, name="help_index"),
    path("hjelp/<slug:service>/", views.help_page, name="help"),
    path("personvern/", views.privacy_statement, name="privacy_statement"),
    path("favicon.ico", views.favicon),
    path("utvikling/sms/", views.sms_outbox, name="sms_outbox"),
]
