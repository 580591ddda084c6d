"""MinID's background work (run by `manage.py db_worker`)."""

from django_tasks import task

from minid.services import pin_letters


@task()
def make_ordered_letter(identity_number: str) -> str | None:
    """A PIN letter ordered on the public page; returns its serial, or None where none could go."""
    letter = pin_letters.order_pin_letter_quietly(identity_number)
    return letter.serial if letter is not None else None
