from demo import views

app_name = "demo"
urlpatterns = views.urlpatterns
