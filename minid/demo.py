"""The demo's MinID citizen (made by `manage.py seed_demo_citizen`), for the demo seed commands of
other apps that give the same person cards, letters and cases. Development and demo only."""

from minid.models import MinidUser

DEMO_MOBILE = "+4741000000"


def demo_citizen() -> MinidUser | None:
    """The demo citizen's MinID user with its person, or None before seed_demo_citizen has run."""
    return MinidUser.objects.filter(mobile=DEMO_MOBILE).select_related("person").first()
