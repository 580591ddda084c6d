from kontaktregister import views

app_name = "kontaktregister"
urlpatterns = views.urlpatterns
