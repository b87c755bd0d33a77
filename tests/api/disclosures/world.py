"""A case of the caseworker's charity shared with a force as a client's consent shares it, and
the calls a force and the charity make about what left the charity."""

from casework.audit.models import AuditEvent
from casework.disclosures.models import Disclosure

from ..police_sharing.world import SHARED, consent, open_case

__all__ = ["SHARED", "consent", "open_case"]


def share_with(api, case, force, *, level: str = "anonymous", **extra) -> dict:
    """The client's consent to store records, then to share at ``level`` with ``force``."""
    consent(api, case, "store_records")
    scope = "share_anonymous_intelligence" if level == "anonymous" else "share_with_police"
    return consent(api, case, scope, force=force, **extra)


def versions(share) -> list[Disclosure]:
    return list(Disclosure.objects.filter(shared_case=share).order_by("version"))


def last_police_read(share) -> AuditEvent:
    return (
        AuditEvent.objects.filter(action="shared_case.read", object_id=str(share.pk))
        .order_by("-id")
        .first()
    )


def disclosures_url(case) -> str:
    return f"/api/v1/cases/{case.id}/disclosures/"


def requests_url(share) -> str:
    return f"{SHARED}{share.id}/records-requests/"


def case_requests_url(case) -> str:
    return f"/api/v1/cases/{case.id}/records-requests/"
