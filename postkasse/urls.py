from django.urls import path

from postkasse import views

app_name = "postkasse"
urlpatterns = [
    path("", views.home, name="home"),
    path("logg-inn/", views.login, name="login"),
    path("innlogget/", views.callback, name="callback"),
    path("logg-ut/", views.logout, name="logout"),
    path("arkiv/", views.archive, name="archive"),
    path("mapper/", views.folders, name="folders"),
    path("mapper/<int:folder_id>/", views.folder, name="folder"),
    path("mapper/<int:folder_id>/endre/", views.edit_folder, name="edit_folder"),
    path("mapper/<int:folder_id>/slett/", views.delete_folder, name="delete_folder"),
    path("brev/<uuid:letter_id>/", views.letter, name="letter"),
    path("brev/<uuid:letter_id>/dokument/<int:position>/", views.show_document, name="document"),
    path("brev/<uuid:letter_id>/dokument/<int:position>/last-ned/", views.download_document, name="download"),
    path("brev/<uuid:letter_id>/flytt/", views.move, name="move"),
    path("brev/<uuid:letter_id>/lest/", views.mark, name="mark"),
    path("brev/<uuid:letter_id>/slett/", views.delete, name="delete"),
    path("brev/<uuid:letter_id>/svar/", views.reply, name="reply"),
    path("varsler/", views.notifications, name="notifications"),
]
