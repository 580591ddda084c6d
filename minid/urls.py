from minid.views import letters, login, registration, selfservice, statistics

app_name = "minid"
urlpatterns = [
    *login.urlpatterns,
    *registration.urlpatterns,
    *letters.urlpatterns,
    *selfservice.urlpatterns,
    *statistics.urlpatterns,
]
