from django.urls import path

from kontaktregister.api.views import PersonLookup

urlpatterns = [path("v1/personer", PersonLookup.as_view(), name="krr-personer")]
