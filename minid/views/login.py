"""login pages."""

urlpatterns = []
