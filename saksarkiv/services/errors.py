from core.errors import DomainError


class SaksarkivError(DomainError):
    code = "saksarkiv_error"


class NotFound(SaksarkivError):
    """Not there, or another organisation's: the two look the same from outside."""

    code = "not_found"


class RecordFinalised(SaksarkivError):
    code = "record_finalised"


class InvalidInput(SaksarkivError):
    code = "invalid_input"


class DispatchRefused(SaksarkivError):
    code = "dispatch_refused"
