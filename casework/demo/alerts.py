"""Demo alerts: what Amber chose to warn others about, drafted by her caseworker and published
by a supervisor, one with its identifiers in the feed; and a draft still being written. Every
number is from Ofcom's drama range, every address at example.org or example.com."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.alerts.models import Alert
from casework.alerts.services import alert_draft, alert_submit
from casework.approvals.services import approval_approve
from casework.cases.models import Case


@dataclass(frozen=True)
class DemoAlert:
    what_happened: str
    offender_description: str
    days_ago: int
    identifiers: list[dict[str, str]] = field(default_factory=list)
    show_identifiers: bool = False


PUBLISHED = [
    DemoAlert(
        what_happened=(
            "Booked an outcall through a website, refused to pay at the end and became "
            "violent when asked; took cash from a bag on the way out."
        ),
        offender_description="Man, about 40, shaved head, swallow tattoo on his left hand.",
        days_ago=9,
        identifiers=[
            {"kind": "phone", "value": "07700 900 123"},
            {"kind": "vehicle", "value": "YX21 ABC"},
        ],
        show_identifiers=True,
    ),
    DemoAlert(
        what_happened=(
            "Texted repeatedly from several numbers after a booking was turned down, and "
            "waited outside the premises."
        ),
        offender_description="Man in his twenties, tall, grey hooded coat.",
        days_ago=20,
        identifiers=[{"kind": "email", "value": "not.a.real.punter@example.com"}],
    ),
]
DRAFT = DemoAlert(
    what_happened="Tried to film a client without her agreement; left when challenged.",
    offender_description="",
    days_ago=2,
    identifiers=[{"kind": "handle", "value": "@demo_handle_example"}],
)


def _draft(spec: DemoAlert, *, case: Case, by: User, area: str) -> Alert:
    return alert_draft(
        case=case,
        by=by,
        what_happened=spec.what_happened,
        offender_description=spec.offender_description,
        area=area,
        happened_on=timezone.localdate() - timedelta(days=spec.days_ago),
        identifiers=spec.identifiers,
        show_identifiers=spec.show_identifiers,
    )


def seed_alerts(*, organisation: Organisation, caseworker: User, supervisor: User) -> None:
    """Runs once: nothing is made while the charity has any alert."""
    if Alert.objects.filter(organisation=organisation).exists():
        return
    cases = Case.objects.filter(organisation=organisation).select_related("client")
    amber = next((c for c in cases if c.client.pseudonym == "Amber"), None)
    if amber is None:
        return
    areas = list(organisation.areas or [])
    if not areas:
        return
    for index, spec in enumerate(PUBLISHED):
        alert = _draft(spec, case=amber, by=caseworker, area=areas[index % len(areas)])
        approval = alert_submit(
            alert=alert, by=caseworker, reason="Amber wants others to know of him."
        )
        approval_approve(approval=approval, by=supervisor)
    _draft(DRAFT, case=amber, by=caseworker, area=areas[0])
