"""Domain errors the API maps to HTTP statuses. Validation problems use Django's
``ValidationError`` with a message per field."""


class DomainError(Exception):
    """A request that is well-formed but cannot be carried out in the current state."""

    status_code = 409
    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PreconditionFailed(DomainError):
    status_code = 412
    code = "precondition_failed"
