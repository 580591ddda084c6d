"""MinID's domain errors: each carries a message for the citizen, in their language."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class MinidError(DomainError):
    code = "minid_error"
    default_message = _("Something went wrong. Please try again.")

    def __init__(self, message=None):
        super().__init__(str(message or self.default_message))


class NotEligible(MinidError):
    """The person cannot have MinID (unknown, dead, no address, ...)."""

    code = "not_eligible"


class AlreadyRegistered(MinidError):
    code = "already_registered"
    default_message = _("You already have a MinID user. Log in, or choose 'Forgot password'.")


class NoValidLetter(MinidError):
    code = "no_valid_letter"
    default_message = _(
        "You have no valid PIN letter. Order a new PIN letter; it arrives by post in a few days."
    )


class InvalidCredentials(MinidError):
    code = "invalid_credentials"
    default_message = _(
        "The fødselsnummer or password is wrong. After five wrong attempts the user is locked."
    )


class AccountLocked(MinidError):
    code = "account_locked"
    default_message = _("Your MinID user is locked.")


class CodeRejected(MinidError):
    code = "code_rejected"
    default_message = _("The code is wrong, already used or no longer valid.")


class LoginExpired(MinidError):
    code = "login_expired"
    default_message = _("The login took too long. Please start again.")


class RateLimited(MinidError):
    code = "rate_limited"
    default_message = _("Too many failed attempts. Wait a quarter of an hour and try again.")


class MessagesLimited(MinidError):
    code = "messages_limited"
    default_message = _(
        "We have sent you many codes and messages in a short time. Wait an hour and try again, "
        "or use a PIN code from your PIN letter."
    )


class StartsLimited(MinidError):
    code = "starts_limited"
    default_message = _("This has been started many times today with this fødselsnummer. Try again tomorrow.")


class LetterOrdersLimited(MinidError):
    code = "letter_orders_limited"
    default_message = _("Many PIN letters have been ordered from your network today. Try again tomorrow.")


class PasswordRejected(MinidError):
    code = "password_rejected"

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


class ContactRejected(MinidError):
    code = "contact_rejected"
