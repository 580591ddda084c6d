from django.urls import path

from signering import views

app_name = "signering"
urlpatterns = [
    path("", views.home, name="home"),
    path("logg-inn/", views.login, name="login"),
    path("innlogget/", views.callback, name="callback"),
    path("logg-ut/", views.logout, name="logout"),
    path("<uuid:job_id>/", views.job, name="job"),
    path("<uuid:job_id>/dokument/", views.document, name="document"),
    path("<uuid:job_id>/forbered/", views.prepare, name="prepare"),
    path("<uuid:job_id>/fullfor/", views.complete, name="complete"),
    path("<uuid:job_id>/avvis/", views.decline, name="decline"),
    path("<uuid:job_id>/kvittering/", views.receipt, name="receipt"),
]
