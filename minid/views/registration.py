"""registration pages."""

urlpatterns = []
