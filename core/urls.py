from django.urls import path

from core import views

urlpatterns = [
    path("", views.front_page, name="front_page"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("utvikling/sms/", views.sms_outbox, name="sms_outbox"),
]
