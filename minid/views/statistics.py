"""statistics pages."""

urlpatterns = []
