from django.urls import path

from postkasse.api.views import ForsendelseDetail, Forsendelser, KvitteringBekreft, KvitteringFeed

urlpatterns = [
    path("v1/forsendelser", Forsendelser.as_view(), name="post-forsendelser"),
    path("v1/forsendelser/<uuid:letter_id>", ForsendelseDetail.as_view(), name="post-forsendelse"),
    path("v1/kvitteringer", KvitteringFeed.as_view(), name="post-kvitteringer"),
    path(
        "v1/kvitteringer/<int:receipt_id>/bekreft",
        KvitteringBekreft.as_view(),
        name="post-kvittering-bekreft",
    ),
]
