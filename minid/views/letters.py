"""letters pages."""

urlpatterns = []
