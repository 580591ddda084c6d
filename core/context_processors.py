from django.conf import settings


def felles(request):
    """What the base template needs on every page."""
    return {"debug_tools": settings.DEBUG}
