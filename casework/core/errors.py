"""The domain's errors, in one place: every service raises these (or Django's
``ValidationError`` with a message per field, for input that breaks a rule), and the API maps
each to its HTTP status through ``status_code`` and ``code``, so no view decides an answer."""


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
    """The record's state forbids the change (a closed case, a decided referral): 409."""

    status_code = 409
    code = "conflict"


class NotAllowed(DomainError):
    """The caller may see the record but not do this to it (approve their own proposal): 403."""

    status_code = 403
    code = "not_allowed"


class PreconditionFailed(DomainError):
    """The record changed since the caller read it (a stale ``If-Match``): 412."""

    status_code = 412
    code = "precondition_failed"


class LockedOut(DomainError):
    """Too many failed sign-ins for a username from one address: 429 until the lockout ends."""

    status_code = 429
    code = "locked_out"
