"""Taking statistics is recorded: who asked for which range, grouped how, in which format."""

from casework.accounts.principals import Principal
from casework.audit.models import AuditEvent
from casework.audit.services import audit_record

from .periods import StatsRequest


def stats_read_record(*, by: Principal, request: StatsRequest, media: str) -> AuditEvent:
    return audit_record(
        actor=by,
        action="stats.read",
        detail={
            "from": request.start.isoformat(),
            "to": request.end.isoformat(),
            "group_by": request.group_by,
            "format": media,
        },
    )
