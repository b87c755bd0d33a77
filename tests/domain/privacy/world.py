"""A case with something in every field that anonymisation must clear, and what anonymised and
untouched look like."""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from casework.alerts.models import Alert, AlertIdentifier
from casework.alerts.services import alert_draft
from casework.approvals.models import Approval
from casework.attachments.models import Attachment
from casework.attachments.services import attachment_upload
from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseTransition, ContactLogEntry, Note, Referral
from casework.cases.services.cases import case_transition
from casework.cases.services.contacts import note_add
from casework.cases.services.referrals import referral_accept
from casework.clients.models import Client, ContactMethod
from casework.clients.services import contact_method_retire
from casework.contact_requests.models import ContactRequest
from casework.contact_requests.services import contact_request_answer, contact_request_create
from casework.court.models import CourtEvent
from casework.disclosures.models import Disclosure, RecordsRequest
from casework.disclosures.services import records_request_client_told, records_request_make
from casework.privacy.anonymise import REMOVED
from casework.reminders.messages import message_plan
from casework.reminders.models import OutboundMessage
from casework.sharing.models import ConsentDecision, PoliceInvolvement, SharedCase, SharedUpdate
from casework.sharing.overrides import override_propose
from casework.sharing.services import police_involvement_update, police_update_post
from casework.support.models import NeedRecord, RiskAssessment, SafetyPlanRevision
from casework.support.services import need_record, risk_assess, safety_item_add

from ...factories import (
    ConsentDecisionFactory,
    ContactLogEntryFactory,
    ContactMethodFactory,
    CourtEventFactory,
    PoliceForceFactory,
    ReferralFactory,
)


@dataclass
class Bundle:
    client: Client
    case: Case
    share: SharedCase
    secrets: dict[str, str] = field(default_factory=dict)
    plain: dict[str, object] = field(default_factory=dict)


def secrets_for(tag: str) -> dict[str, str]:
    return {
        "pseudonym": f"Nightjar {tag}",
        "legal_name": f"Philippa Marchbank-Oduya {tag}",
        "referrer_name": f"Outreach worker Gwendolyn {tag}",
        "referral_pseudonym": f"Referred as Moth {tag}",
        "summary": f"Robbed at knifepoint behind the Corn Exchange {tag}",
        "phone": "07700 900" + str(100 + sum(map(ord, tag)) % 800).zfill(3),
        "email": f"nightjar.{tag.lower()}@example.net",
        "third_party": f"Auntie Rosalind {tag}",
        "transition_reason": f"Engaged after the drop-in at Holbeck {tag}",
        "justice_reason": f"Reported to DC Hollis by phone {tag}",
        "close_reason": f"Moved to her sister's in Wakefield {tag}",
        "note": f"Staying at the Larkspur hostel, room 12 {tag}",
        "contact_note": f"Rang from the payphone outside Larkspur {tag}",
        "consent_note": f"Agreed with her sister present {tag}",
        "police_update": f"Suspect Darren Pike arrested at his flat {tag}",
        "contact_request": f"DC Hollis asks to take a statement about Pike {tag}",
        "client_reason": f"Pike's brother drinks at the Fforde Grene {tag}",
        "shared_note": f"She will attend the ID parade on Friday {tag}",
        "court_outcome": f"Pike pleaded guilty to robbery {tag}",
        "need_note": f"Needs a bed at Simon on the Streets {tag}",
        "safety": f"Code word is pomegranate {tag}",
        "risk_notes": f"Threatened by Pike's brother Liam {tag}",
        "message": f"Your appointment with Jo is at 2pm at Basis {tag}",
        "crime_reference": f"13/99{sum(map(ord, tag)) % 10}2/27",
        "officer_name": f"DC Hollis {tag}",
        "officer_contact": f"hollis.{tag.lower()}@police.example",
        "pronouns": "she/her",
        "interpreter_language": "Romanian",
        "language": f"Romani {tag}",
        "override_reason": f"Pike's brother has a knife and her address {tag}",
        "override_not_told_reason": f"Liam reads her phone {tag}",
        "records_material": f"Her account of the night Pike came back {tag}",
        "records_enquiry": f"Whether Pike was at the Corn Exchange {tag}",
        "not_told_reason": f"Pike's brother reads her messages {tag}",
        "attachment_description": f"Screenshot of Pike's threats to Nightjar {tag}",
        "attachment_name": f"pike-threats-{tag.lower()}.txt",
        "attachment_content": f"I know where you sleep now, Nightjar. Pike {tag}",
        "alert": f"Refused to pay and drove off towards the ring road {tag}",
        "offender": f"Grey beard, Leeds United scarf {tag}",
        "offender_handle": f"pike_{tag.lower()}_online",
    }


def build(staff, force, liaison, tag: str) -> Bundle:
    """A whole case written through the services, as the API would write it."""
    s = secrets_for(tag)
    today = timezone.localdate()
    referral = ReferralFactory(
        organisation=staff.organisation,
        actor=staff,
        source="outreach",
        summary=s["summary"],
        referrer_name=s["referrer_name"],
        person_pseudonym=s["referral_pseudonym"],
        contact_kind="mobile",
        contact_value=s["phone"],
        contact_safe_to_text=True,
        offence_types=["robbery", "physical_assault"],
        incident_date=today - timedelta(days=3),
    )
    case = referral_accept(
        referral=referral,
        accepted_by=staff,
        new_client={
            "pseudonym": s["pseudonym"],
            "legal_name": s["legal_name"],
            "date_of_birth": date(1993, 7, 14),
            "pronouns": s["pronouns"],
            "languages": ["English", s["language"]],
            "interpreter_needed": True,
            "interpreter_language": s["interpreter_language"],
            "work_settings": ["street", "online"],
            "vulnerability_flags": ["no_fixed_address", "substance_use"],
        },
        incident_area="Holbeck",
        risk_level="medium",
    )
    client = case.client
    email = ContactMethodFactory(client=client, created_by=staff, kind="email", value=s["email"])
    ContactMethodFactory(
        client=client,
        created_by=staff,
        kind="third_party",
        value="Drop-in centre on Lower Briggate",
        third_party_name=s["third_party"],
    )
    contact_method_retire(method=email, retired_by=staff, reason="Bounced")
    case_transition(
        case=case, actor=staff, lifecycle="support", to="active", reason=s["transition_reason"]
    )
    case_transition(
        case=case, actor=staff, lifecycle="justice", to="reported", reason=s["justice_reason"]
    )
    note_add(case=case, author=staff, body=s["note"], visibility="internal")
    ContactLogEntryFactory(
        case=case,
        recorded_by=staff,
        occurred_at=timezone.now() - timedelta(hours=2),
        channel="phone_call",
        direction="outbound",
        outcome="reached",
        contact_method=client.contact_methods.get(kind="mobile"),
        note=s["contact_note"],
    )
    ConsentDecisionFactory(
        case=case, recorded_by=staff, scope="store_records", note=s["consent_note"]
    )
    ConsentDecisionFactory(
        case=case,
        recorded_by=staff,
        scope="share_with_police",
        method="written",
        police_force=force,
    )
    share = SharedCase.objects.get(case=case, police_force=force)
    police_update_post(
        shared_case=share, author=liaison, kind="investigation", body=s["police_update"]
    )
    contact_request = contact_request_create(
        shared_case=share,
        requested_by=liaison,
        purpose="take_statement",
        explanation=s["contact_request"],
        urgency="routine",
        preferred_contact="phone_call",
        window_from=timezone.now(),
        window_until=timezone.now() + timedelta(days=7),
    )
    contact_request_answer(
        contact_request=contact_request,
        answered_by=staff,
        outcome="declined",
        client_reason=s["client_reason"],
    )
    note_add(case=case, author=staff, body=s["shared_note"], visibility="shared")
    asked = records_request_make(
        shared_case=share,
        requested_by=liaison,
        material=s["records_material"],
        line_of_enquiry=s["records_enquiry"],
        necessity="The only record of what was said.",
        proportionality="The one night only.",
    )
    records_request_client_told(
        records_request=asked, actor=staff, not_told_reason=s["not_told_reason"]
    )
    police_involvement_update(
        case=case,
        actor=staff,
        police_force=force,
        crime_reference=s["crime_reference"],
        officer_name=s["officer_name"],
        officer_contact=s["officer_contact"],
    )
    CourtEventFactory(
        case=case,
        actor=staff,
        hearing_type="first_hearing",
        court="Leeds Magistrates' Court",
        starts_at=timezone.now() - timedelta(days=1),
        status="completed",
        outcome=s["court_outcome"],
    )
    need_record(
        case=case,
        actor=staff,
        need="housing",
        status="referred",
        agency="Simon on the Streets",
        note=s["need_note"],
    )
    safety_item_add(case=case, actor=staff, description=s["safety"])
    risk_assess(case=case, actor=staff, assessed_on=today, level="high", notes=s["risk_notes"])
    message_plan(
        case=case,
        author=staff,
        purpose="appointment",
        channel="text",
        body=s["message"],
        send_after=timezone.now() + timedelta(days=2),
    )
    # She agreed to warn others: an alert drafted from her case, with the offender's handle.
    ConsentDecisionFactory(case=case, recorded_by=staff, scope="warn_others")
    if not case.organisation.areas:
        case.organisation.areas = ["Armley"]
        case.organisation.save(update_fields=["areas"])
    alert_draft(
        case=case,
        by=staff,
        what_happened=s["alert"],
        offender_description=s["offender"],
        area=case.organisation.areas[0],
        happened_on=timezone.localdate(),
        identifiers=[{"kind": "handle", "value": s["offender_handle"]}],
    )
    # A proposal to share with a second force without her consent, waiting for approval.
    override_propose(
        case=case,
        proposed_by=staff,
        police_force=PoliceForceFactory(),
        ground="risk_to_life",
        reason=s["override_reason"],
        tell_client=False,
        client_not_told_reason=s["override_not_told_reason"],
    )
    attachment_upload(
        case=case,
        uploaded_by=staff,
        data=s["attachment_content"].encode(),
        name=s["attachment_name"],
        declared_type="text/plain",
        kind="evidence",
        description=s["attachment_description"],
    )
    case.refresh_from_db()
    plain = {
        "offence_types": list(case.offence_types),
        "incident_date": case.incident_date,
        "opened_at": case.opened_at,
        "justice_stage": case.justice_stage,
        "risk_level": case.risk_level,
    }
    return Bundle(client=client, case=case, share=share, secrets=s, plain=plain)


def close(bundle: Bundle, staff) -> None:
    case_transition(
        case=bundle.case,
        actor=staff,
        lifecycle="support",
        to="closed",
        reason=bundle.secrets["close_reason"],
        closure_reason="support_completed",
    )
    bundle.case.refresh_from_db()
    bundle.plain["closed_at"] = bundle.case.closed_at


def _values(model, **filters) -> list[dict]:
    return list(model._base_manager.filter(**filters).order_by("pk").values())


def fingerprint() -> dict:
    """Everything held about every case, decrypted, for "nothing changed" comparisons."""
    models = [
        Client,
        ContactMethod,
        Referral,
        Case,
        CaseTransition,
        ContactLogEntry,
        Note,
        ConsentDecision,
        SharedCase,
        SharedUpdate,
        PoliceInvolvement,
        CourtEvent,
        NeedRecord,
        SafetyPlanRevision,
        RiskAssessment,
        OutboundMessage,
        Disclosure,
        RecordsRequest,
    ]
    return {model.__name__: _values(model) for model in models}


def assert_identity_kept(bundle: Bundle) -> None:
    client = Client.objects.get(pk=bundle.client.pk)
    assert client.anonymised_at is None
    assert client.pseudonym == bundle.secrets["pseudonym"]
    assert client.legal_name == bundle.secrets["legal_name"]
    assert client.date_of_birth == date(1993, 7, 14)
    values = {m.kind: m.value for m in ContactMethod.objects.filter(client=client)}
    assert values["email"] == bundle.secrets["email"]


def assert_untouched(bundle: Bundle) -> None:
    assert_identity_kept(bundle)
    case = Case.objects.get(pk=bundle.case.pk)
    assert case.anonymised_at is None
    assert case.incident_area == "Holbeck"
    assert bundle.secrets["note"] in {n.body for n in Note.objects.filter(case=case)}
    assert Referral.objects.get(case=case).summary == bundle.secrets["summary"]
    assert CourtEvent.objects.get(case=case).outcome == bundle.secrets["court_outcome"]
    assert OutboundMessage.objects.get(case=case).body == bundle.secrets["message"]


def assert_client_anonymised(bundle: Bundle) -> None:
    client = Client.objects.get(pk=bundle.client.pk)
    assert client.anonymised_at is not None
    assert client.pseudonym == "Anonymised"
    assert client.pseudonym_hash == ""
    assert client.legal_name is None
    assert client.date_of_birth is None
    assert client.pronouns == ""
    assert client.languages == []
    assert client.interpreter_language == ""
    # Kept for statistics.
    assert client.work_settings == ["street", "online"]
    assert client.vulnerability_flags == ["no_fixed_address", "substance_use"]
    methods = list(ContactMethod.objects.filter(client=client))
    assert len(methods) == 3
    for method in methods:
        assert method.value == REMOVED
        assert method.value_hash == ""
        assert method.third_party_name is None
        assert method.safe_times == []
        assert method.status == "retired"
    assert {m.kind for m in methods} == {"mobile", "email", "third_party"}


def assert_case_anonymised(bundle: Bundle, *, stage: str | None = None) -> None:
    case = Case.objects.get(pk=bundle.case.pk)
    assert case.anonymised_at is not None
    # The facts stay.
    assert case.offence_types == bundle.plain["offence_types"]
    assert case.incident_date == bundle.plain["incident_date"]
    assert case.opened_at == bundle.plain["opened_at"]
    assert case.support_status == "closed" and case.closed_at is not None
    assert case.justice_stage == (stage or bundle.plain["justice_stage"])
    assert case.risk_level == "high"
    # The free text goes.
    assert case.incident_area == ""
    referral = Referral.objects.get(case=case)
    assert referral.summary == REMOVED
    assert referral.referrer_name is None
    assert referral.person_pseudonym is None
    assert referral.contact_value is None
    assert referral.offence_types == ["physical_assault", "robbery"]
    assert referral.source == "outreach"
    transitions = list(CaseTransition.objects.filter(case=case))
    assert transitions and {t.reason for t in transitions} == {REMOVED}
    assert {(t.lifecycle, t.to_state) for t in transitions} >= {
        ("support", "active"),
        ("justice", "reported"),
        ("support", "closed"),
    }
    assert [e.note for e in ContactLogEntry.objects.filter(case=case)] == [None]
    assert ContactLogEntry.objects.get(case=case).outcome == "reached"
    notes = list(Note.objects.filter(case=case))
    assert len(notes) == 2 and {n.body for n in notes} == {REMOVED}
    consents = list(ConsentDecision.objects.filter(case=case))
    assert {c.note for c in consents} == {None}
    assert {(c.scope, c.granted) for c in consents} >= {
        ("store_records", True),
        ("share_with_police", True),
    }
    updates = list(SharedUpdate.objects.filter(shared_case__case=case))
    assert len(updates) >= 2 and {u.body for u in updates} == {REMOVED}
    involvement = PoliceInvolvement.objects.get(case=case)
    assert (involvement.crime_reference, involvement.officer_name) == ("", "")
    assert involvement.officer_contact == ""
    hearing = CourtEvent.objects.get(case=case)
    assert hearing.outcome == ""
    assert (hearing.hearing_type, hearing.status) == ("first_hearing", "completed")
    need = NeedRecord.objects.get(case=case)
    assert (need.note, need.agency) == (None, "")
    assert (need.need, need.status) == ("housing", "referred")
    revisions = list(SafetyPlanRevision.objects.filter(item__case=case))
    assert revisions and {r.description for r in revisions} == {REMOVED}
    risk = RiskAssessment.objects.get(case=case)
    assert risk.notes is None and risk.level == "high"
    request = ContactRequest.objects.get(case=case)
    assert (request.explanation, request.client_reason) == (REMOVED, None)
    assert (request.purpose, request.status) == ("take_statement", "declined")
    message = OutboundMessage.objects.get(case=case)
    assert message.body == REMOVED
    assert message.purpose == "appointment"
    # Files go whole: their records here, their stored files as the anonymisation commits.
    assert not Attachment.objects.filter(case=case).exists()
    proposals = list(Approval.objects.filter(case=case))
    assert proposals and {(a.reason, a.client_not_told_reason) for a in proposals} <= {
        (REMOVED, "")
    }
    alert = Alert.objects.get(case=case)
    assert (alert.what_happened, alert.offender_description) == (REMOVED, "")
    assert (alert.status, alert.retraction_reason) == ("retracted", "case_anonymised")
    identifier = AlertIdentifier.objects.get(alert=alert)
    assert (identifier.value, identifier.value_hash) == (REMOVED, "")


def assert_audit_clean(bundle: Bundle) -> None:
    """The trail of the case is all still there, and never held what was removed."""
    events = list(AuditEvent.objects.all().values())
    assert any(e["case_id"] == bundle.case.pk and e["action"] == "case.create" for e in events)
    text = json.dumps(events, default=str)
    for name, secret in bundle.secrets.items():
        if name in ("pronouns", "interpreter_language"):
            continue  # common words that appear in field names
        assert secret not in text, f"{name} appears in the audit trail"
