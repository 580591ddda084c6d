"""OAuth 2.0 / OpenID Connect errors with their standard codes."""

from core.errors import DomainError


class OAuthError(DomainError):
    """An error answered with an OAuth error code. `redirect` says whether it may go back to
    the client's redirect URI (never for a bad client or redirect URI). An error that is shown
    instead of redirected tells the citizen what happened in `message`, in their language; the
    English `description` is for the service's developers."""

    def __init__(
        self,
        error: str,
        description: str = "",
        *,
        status: int = 400,
        redirect: bool = True,
        message: str = "",
    ):
        super().__init__(description or error)
        self.code = error
        self.error = error
        self.description = description
        self.status = status
        self.redirect = redirect
        self.message = message

    def as_dict(self) -> dict:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body
