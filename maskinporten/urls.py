from django.urls import path

from maskinporten import views

app_name = "maskinporten"

urlpatterns = [
    path("token", views.token, name="token"),
]
