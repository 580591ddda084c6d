"""The base of every app's domain error: a message for the user and a stable code for the API."""


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
