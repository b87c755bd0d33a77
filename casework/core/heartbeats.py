"""When the parts of the service outside the API were last seen: the beat scheduler, marked as
it sends the periodic heartbeat task, and each worker, marked as it runs it. The operators'
status page (``casework.health.status``) reads them; nothing else depends on them."""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from .models import Heartbeat

BEAT = "beat"
WORKER_PREFIX = "worker:"
HEARTBEAT_TASK = "casework.core.tasks.heartbeat"
# The task is sent every minute; a part not seen for three is reported as not running.
RECENT = timedelta(minutes=3)


def seen(name: str, *, at: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": at or timezone.now()})


def beat_sent_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    """``before_task_publish``: the process sending the heartbeat task is the beat scheduler."""
    seen(BEAT)


def last_seen() -> dict[str, Any]:
    """The beat scheduler's last run and the workers seen, each with whether it was recent."""
    now = timezone.now()
    rows = dict(Heartbeat.objects.values_list("name", "seen_at"))
    beat_at = rows.pop(BEAT, None)
    workers = [
        {"name": name.removeprefix(WORKER_PREFIX), "last_seen": at.isoformat()}
        for name, at in sorted(rows.items(), key=lambda item: item[1], reverse=True)
        if name.startswith(WORKER_PREFIX) and now - at <= RECENT
    ]
    return {
        "beat": {
            "status": "ok" if beat_at and now - beat_at <= RECENT else "failing",
            "last_run": beat_at.isoformat() if beat_at else None,
        },
        "workers": {"status": "ok" if workers else "failing", "seen_recently": workers},
    }
