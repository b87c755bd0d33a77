"""Security events: requests the service refused. They hold no personal data: who asked (or
"anonymous"), from which address, which route and which record ids, and why it was refused.

An event goes into the chain of the organisation whose records were asked for where that is
known (a police officer asking for a share that ended is the charity's business), else into the
caller's organisation's chain, else the platform's."""

from casework.accounts.models import Organisation
from casework.accounts.principals import Actor

from .models import AuditEvent
from .services import audit_record

KINDS = {
    400: "ambiguous_input",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "refused_change",
    413: "oversized",
    429: "throttled",
}


def record_refusal(
    *,
    actor: Actor,
    status: int,
    code: str,
    method: str,
    route: str,
    ids: dict[str, str],
    organisation: Organisation | None = None,
    case_id=None,
    detail: dict | None = None,
) -> AuditEvent:
    return audit_record(
        actor=actor,
        action=f"security.{KINDS.get(status, 'refused')}",
        organisation=organisation,
        case_id=case_id,
        detail={
            "status": status,
            "code": code,
            "method": method,
            "route": route,
            "ids": ids,
            **(detail or {}),
        },
    )
