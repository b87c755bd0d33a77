"""Demo clients, referrals, cases in every state and their contact histories, made through the
same services the API uses (so permissions, audit events and encryption are all real).

Every phone number is from Ofcom's drama range (07700 900000-900999) and every email address is
at example.org: no real person's details appear in demo data."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.cases.lifecycles import JusticeStage as J
from casework.cases.lifecycles import SupportStatus as S
from casework.cases.models import Case
from casework.cases.services.cases import DECISION_FOR_STAGE, TransitionDecision, case_transition
from casework.cases.services.contacts import contact_log, note_add
from casework.cases.services.referrals import referral_accept, referral_create, referral_decline
from casework.clients.services import (
    contact_method_add,
    contact_method_retire,
    contact_method_update,
)


@dataclass(frozen=True)
class DemoClient:
    pseudonym: str
    legal_name: str
    phone: str
    email: str | None
    support_path: list[str]
    justice_path: list[str] = field(default_factory=list)
    offences: tuple[str, ...] = ("harassment",)
    work_settings: tuple[str, ...] = ("indoor",)
    risk: str = "standard"
    lost_phone: bool = False


# Each client's case walks its support and justice paths from "referred" and "none".
DEMO_CLIENTS = [
    DemoClient(
        "Amber",
        "Amelia Fictional",
        "07700 900101",
        "amber@example.org",
        [S.TRIAGE],
        offences=("robbery",),
        work_settings=("street",),
    ),
    DemoClient(
        "Jade",
        "Jane Placeholder",
        "07700 900102",
        None,
        [S.ACTIVE],
        [J.REPORTED, J.UNDER_INVESTIGATION],
        ("sexual_assault",),
        ("escort",),
        "high",
    ),
    DemoClient(
        "Ruby",
        "Rebecca Example",
        "07700 900103",
        "ruby@example.org",
        [S.ACTIVE, S.PAUSED],
        [J.ANONYMOUS_INTELLIGENCE],
        ("stalking",),
        ("online",),
    ),
    DemoClient(
        "Star",
        "Stacey Madeup",
        "07700 900104",
        None,
        [S.ACTIVE, S.UNABLE_TO_CONTACT],
        offences=("physical_assault",),
        work_settings=("street",),
        risk="medium",
        lost_phone=True,
    ),
    DemoClient(
        "Willow",
        "Wendy Sample",
        "07700 900105",
        "willow@example.org",
        [S.ACTIVE],
        [J.REPORTED, J.CHARGED, J.AWAITING_TRIAL],
        ("rape",),
        ("indoor",),
        "high",
    ),
    DemoClient(
        "Sky",
        "Sylvia Invented",
        "07700 900106",
        None,
        [S.ACTIVE, S.CLOSED],
        [J.REPORTED, J.NO_FURTHER_ACTION],
        ("theft",),
        ("escort",),
    ),
    DemoClient(
        "Blue",
        "Bella Notreal",
        "07700 900107",
        None,
        [S.ACTIVE],
        [J.REPORTED, J.UNDER_INVESTIGATION, J.PROSECUTION_SUPPORT_WITHDRAWN],
        ("coercion_or_exploitation",),
        ("indoor",),
        "high",
    ),
    DemoClient(
        "Rose",
        "Rosa Imaginary",
        "07700 900108",
        "rose@example.org",
        [S.ACTIVE],
        [J.REPORTED, J.CHARGED, J.AWAITING_TRIAL, J.AT_TRIAL, J.VERDICT, J.SENTENCED],
        ("malicious_communications",),
        ("online",),
    ),
]


# A second charity's clients, so that the separation between charities can be seen.
NORTH_CLIENTS = [
    DemoClient(
        "Opal",
        "Olivia Pretend",
        "07700 900201",
        "opal@example.org",
        [S.ACTIVE],
        offences=("harassment",),
    ),
    DemoClient(
        "Ivy",
        "Irene Fakename",
        "07700 900202",
        None,
        [S.TRIAGE],
        [J.REPORTED],
        ("physical_assault",),
        ("street",),
        "medium",
    ),
]


def seed_cases(
    *,
    organisation: Organisation,
    caseworker: User,
    isva: User,
    supervisor: User,
    clients: list[DemoClient] = DEMO_CLIENTS,
) -> int:
    """Builds the demo cases once; returns how many were created (0 when they already exist)."""
    if Case.objects.filter(organisation=organisation).exists():
        return 0
    now = timezone.now()
    created = 0
    for index, demo in enumerate(clients):
        referral = referral_create(
            organisation=organisation,
            actor=caseworker,
            received_at=now - timedelta(days=60 - index * 5),
            source=["self_referral", "num_report", "outreach", "health"][index % 4],
            summary=f"Demo referral: {demo.pseudonym} reports {', '.join(demo.offences)}.",
            incident_date=(now - timedelta(days=70 - index * 5)).date(),
            offence_types=list(demo.offences),
            urgency="urgent" if demo.risk == "high" else "routine",
            person_pseudonym=demo.pseudonym,
            contact_kind="mobile",
            contact_value=demo.phone,
            contact_safe_to_text=True,
            contact_safe_to_call=index % 2 == 0,
            contact_safe_times=[
                {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "10:00", "to": "16:00"}
            ],
        )
        assignees = [isva] if demo.justice_path else []
        case = referral_accept(
            referral=referral,
            accepted_by=caseworker,
            new_client={
                "pseudonym": demo.pseudonym,
                "legal_name": demo.legal_name,
                "pronouns": "she/her",
                "languages": ["English"],
                "work_settings": list(demo.work_settings),
            },
            assigned_to=assignees,
            risk_level=demo.risk,
            incident_area=f"Demo: where {demo.pseudonym} says it happened (staff only).",
            area=organisation.areas[index % len(organisation.areas)] if organisation.areas else "",
        )
        # Demo cases have a past: opened when their referral came in, not when the demo was built.
        Case.objects.filter(pk=case.pk).update(opened_at=referral.received_at + timedelta(hours=4))
        case.refresh_from_db()
        _contact_history(case, caseworker, demo, now)
        for number, step in enumerate(demo.justice_path):
            decided = (now - timedelta(days=30 - 3 * number)).date()
            decision: TransitionDecision | None = (
                {"decided_on": decided, "client_told_on": decided if number % 2 == 0 else None}
                if step in DECISION_FOR_STAGE
                else None
            )
            case = case_transition(
                case=case,
                actor=isva,
                lifecycle="justice",
                to=step,
                reason=f"Demo: justice pathway moved to {step}.",
                decision=decision,
            )
        for step in demo.support_path:
            case = case_transition(
                case=case,
                actor=caseworker,
                lifecycle="support",
                to=step,
                reason=f"Demo: moved to {step}.",
                closure_reason="support_completed" if step == S.CLOSED else "",
            )
        note_add(
            case=case,
            author=caseworker,
            visibility="internal",
            body=f"Demo note: agreed to text {demo.pseudonym} before calling.",
        )
        created += 1
    declined = referral_create(
        organisation=organisation,
        actor=caseworker,
        source="other_agency",
        summary="Demo referral outside the service's area.",
        offence_types=["theft"],
    )
    referral_decline(
        referral=declined,
        declined_by=supervisor,
        reason="out_of_area",
        note="Passed to the local service.",
    )
    referral_create(
        organisation=organisation,
        actor=caseworker,
        source="outreach",
        urgency="priority",
        summary="Demo referral waiting for triage.",
        offence_types=["harassment"],
        contact_kind="outreach_location",
        contact_value="Tuesday evening outreach van",
    )
    return created


def _contact_history(case: Case, caseworker: User, demo: DemoClient, now) -> None:
    client = case.client
    method = client.contact_methods.get()
    start = now - timedelta(days=40)
    contact_log(
        case=case,
        recorded_by=caseworker,
        occurred_at=start,
        contact_method=method,
        channel="phone_call",
        direction="outbound",
        outcome="reached",
        duration_minutes=20,
        note="Demo: first call, agreed a plan.",
    )
    contact_log(
        case=case,
        recorded_by=caseworker,
        occurred_at=start + timedelta(days=7),
        contact_method=method,
        channel="text_message",
        direction="outbound",
        outcome="message_left",
    )
    if demo.email:
        contact_method_add(
            client=client, created_by=caseworker, kind="email", value=demo.email, safe_to_text=False
        )
    if demo.lost_phone:
        for days in (10, 12, 14):
            contact_log(
                case=case,
                recorded_by=caseworker,
                occurred_at=start + timedelta(days=days),
                contact_method=method,
                channel="phone_call",
                direction="outbound",
                outcome="number_unavailable",
            )
        contact_method_add(
            client=client,
            created_by=caseworker,
            kind="third_party",
            value="Drop-in centre front desk",
            third_party_name="Drop-in staff",
        )
        contact_method_add(
            client=client,
            created_by=caseworker,
            kind="outreach_location",
            value="Thursday night outreach, station car park",
        )
    elif demo.risk == "high":
        contact_method_retire(
            method=method, retired_by=caseworker, reason="Client changed number after the incident."
        )
        new = contact_method_add(
            client=client,
            created_by=caseworker,
            kind="mobile",
            value=demo.phone[:-3] + "9" + demo.phone[-2:],
            safe_to_text=True,
            preferred=True,
        )
        contact_log(
            case=case,
            recorded_by=caseworker,
            occurred_at=start + timedelta(days=20),
            contact_method=new,
            channel="phone_call",
            direction="inbound",
            outcome="reached",
            duration_minutes=35,
        )


def seed_sharing(
    *,
    organisation: Organisation,
    caseworker: User,
    police_force: Organisation,
    police_officer: User,
) -> None:
    """Consent on the demo cases: identified shares (one with direct contact on the mobile the
    client chose for police), an anonymous one, and a share the client withdrew. Runs once,
    like the cases."""
    from casework.sharing.models import ConsentDecision
    from casework.sharing.services import (
        consent_record,
        police_involvement_update,
        police_update_post,
    )

    cases = {
        c.client.pseudonym: c
        for c in Case.objects.filter(organisation=organisation).select_related("client")
    }
    if not cases or ConsentDecision.objects.filter(case__organisation=organisation).exists():
        return

    def decide(name: str, scope: str, granted: bool = True, force: bool = True) -> None:
        consent_record(
            case=cases[name],
            recorded_by=caseworker,
            scope=scope,
            granted=granted,
            method="verbal",
            police_force=police_force if force else None,
        )

    for name in cases:
        decide(name, "store_records", force=False)
    for name in ("Jade", "Willow", "Rose", "Blue"):
        decide(name, "share_with_police")
    decide("Willow", "police_may_contact_directly")
    # The route Willow chose for police: her current mobile, safe to text.
    willow_mobile = (
        cases["Willow"].client.contact_methods.filter(kind="mobile").exclude(status="retired").get()
    )
    contact_method_update(method=willow_mobile, updated_by=caseworker, police_may_use=True)
    decide("Willow", "support_prosecution", force=False)
    decide("Ruby", "share_anonymous_intelligence")
    decide("Blue", "support_prosecution", force=False)
    decide("Blue", "support_prosecution", granted=False, force=False)
    decide("Blue", "share_with_police", granted=False)
    decide("Amber", "warn_others", force=False)
    for name, reference in (("Jade", "DC/4411/26"), ("Willow", "DC/2093/26")):
        police_involvement_update(
            case=cases[name],
            actor=caseworker,
            police_force=police_force,
            crime_reference=reference,
            officer_name="DC Example",
            officer_contact="dc.example@police.example.org",
            investigation_status="investigating",
        )
    share = cases["Jade"].shares.get(police_force=police_force, status="active")
    police_update_post(
        shared_case=share,
        author=police_officer,
        kind="investigation",
        body="Demo: a suspect has been identified and will be interviewed.",
    )


def seed_court_and_support(*, organisation: Organisation, isva: User) -> None:
    """Hearings at every stage of the court process, and support plans, on the demo cases."""
    from casework.court.models import CourtEvent
    from casework.court.services import court_event_add
    from casework.support.services import need_record, risk_assess, safety_item_add

    cases = {
        c.client.pseudonym: c
        for c in Case.objects.filter(organisation=organisation).select_related("client")
    }
    if not cases or CourtEvent.objects.filter(case__organisation=organisation).exists():
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    court = "Nottingham Crown Court"
    hearings: dict[str, list[tuple[str, int, str, list[str], list[str]]]] = {
        "Willow": [
            ("first_hearing", -20, "completed", [], []),
            ("plea_and_trial_preparation", -6, "completed", ["screens", "live_link"], ["screens"]),
            ("trial", 21, "listed", ["screens", "live_link"], ["screens"]),
        ],
        "Rose": [
            ("first_hearing", -40, "completed", [], []),
            ("trial", -15, "completed", ["evidence_in_private"], ["evidence_in_private"]),
            ("sentencing", -5, "completed", [], []),
        ],
        "Blue": [("trial", -2, "vacated", ["intermediary"], [])],
    }
    for name, rows in hearings.items():
        if name not in cases:
            continue
        for hearing_type, days, status, requested, granted in rows:
            court_event_add(
                case=cases[name],
                actor=isva,
                attendees=[isva],
                hearing_type=hearing_type,
                court=court,
                starts_at=now + timedelta(days=days, hours=10 - now.hour),
                status=status,
                special_measures_requested=requested,
                special_measures_granted=granted,
                pre_trial_visit_done=days > 0,
            )
    for name in ("Jade", "Willow"):
        if name not in cases:
            continue
        case = cases[name]
        need_record(
            case=case,
            actor=isva,
            need="housing",
            status="referred",
            agency="City housing options team",
        )
        need_record(case=case, actor=isva, need="counselling", status="identified")
        safety_item_add(
            case=case,
            actor=isva,
            description="Code word agreed for texts.",
            review_on=(now + timedelta(days=14)).date(),
        )
        risk_assess(
            case=case,
            actor=isva,
            assessed_on=(now - timedelta(days=3)).date(),
            level="high",
            notes="Demo: the suspect knows where the client works.",
        )


def seed_attachments(*, organisation: Organisation, caseworker: User, police_force) -> None:
    """A file on a demo case: a made-up screenshot of threatening messages, shared with the demo
    force on the case's identified share, and a typed statement kept for the charity alone."""
    import io

    from PIL import Image, ImageDraw

    from casework.attachments.models import Attachment
    from casework.attachments.services import attachment_share, attachment_upload
    from casework.sharing.models import SharedCase

    if Attachment.objects.filter(case__organisation=organisation).exists():
        return
    share = (
        SharedCase.objects.filter(
            case__organisation=organisation,
            police_force=police_force,
            status="active",
            level="identified",
        )
        .select_related("case")
        .first()
    )
    if share is None:
        return
    picture = Image.new("RGB", (320, 180), (245, 245, 245))
    draw = ImageDraw.Draw(picture)
    for row, line in enumerate(["Demo: unknown number", "I know where you work.", "Demo only."]):
        draw.text((16, 20 + row * 40), line, fill=(20, 20, 20))
    png = io.BytesIO()
    picture.save(png, format="PNG")
    screenshot = attachment_upload(
        case=share.case,
        uploaded_by=caseworker,
        data=png.getvalue(),
        name="screenshot.png",
        declared_type="image/png",
        kind="evidence",
        description="Demo: screenshot of the threatening messages.",
    )
    attachment_upload(
        case=share.case,
        uploaded_by=caseworker,
        data=b"Demo statement: what happened, in the client's own words.\n",
        name="statement.txt",
        declared_type="text/plain",
        kind="statement",
        description="Demo: the client's statement, for the charity only.",
    )
    attachment_share(attachment=screenshot, police_force=police_force.pk, shared_by=caseworker)
