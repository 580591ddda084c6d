"""selfservice pages."""

urlpatterns = []
