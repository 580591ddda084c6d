from django.urls import path

from maskinporten import views

app_name = "maskinporten"

urlpatterns = [
    path("token", views.token, name="token"),
    path(".well-known/oauth-authorization-server", views.metadata, name="metadata"),
    path("jwk", views.jwk, name="jwk"),
]
