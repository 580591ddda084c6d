from core.errors import DomainError


class PostkasseError(DomainError):
    code = "postkasse_error"


class InvalidLetter(PostkasseError):
    code = "invalid_letter"


class ProviderUnavailable(PostkasseError):
    code = "provider_unavailable"
