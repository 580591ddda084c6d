from django.conf import settings

from core.help import topic_for_namespaces


def felles(request):
    """What the base template needs on every page: the footer links to the help page of the
    service the page belongs to (the general help list elsewhere) and names the operator."""
    match = getattr(request, "resolver_match", None)
    return {
        "debug_tools": settings.DEBUG,
        "operator": settings.FELLES_OPERATOR,
        "help_topic": topic_for_namespaces(match.namespaces if match else []),
    }
