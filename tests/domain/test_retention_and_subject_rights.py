"""Retention and the client's rights over their data.

Retention: closed cases past their organisation's retention period are anonymised, field by
field: identities and free text go, the facts statistics need stay, the audit trail stays and
never held the removed text. A dry run lists what is due and changes nothing.

Subject rights, through the API: a supervisor exports everything held about a client (JSON, or a
ZIP with a readable summary), and erases a client on request, which a court case still open
refuses unless forced with a recorded reason."""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseTransition, ContactLogEntry, Note, Referral
from casework.cases.services.cases import case_transition
from casework.cases.services.contacts import contact_log, note_add
from casework.cases.services.referrals import referral_accept
from casework.clients.models import Client, ContactMethod
from casework.clients.services import contact_method_retire
from casework.court.models import CourtEvent, CourtEventDateChange
from casework.court.services import court_event_add, court_event_update
from casework.privacy.anonymise import REMOVED
from casework.privacy.models import ErasureRecord
from casework.privacy.tasks import apply_retention
from casework.reminders.messages import message_plan
from casework.reminders.models import OutboundMessage, Reminder
from casework.reminders.services import reminder_snooze
from casework.sharing.models import ConsentDecision, PoliceInvolvement, SharedCase, SharedUpdate
from casework.sharing.services import police_involvement_update, police_update_post
from casework.support.models import NeedRecord, RiskAssessment, SafetyPlanRevision
from casework.support.services import need_record, risk_assess, safety_item_add

from ..conftest import client_for
from ..factories import (
    CaseFactory,
    ConsentDecisionFactory,
    ContactMethodFactory,
    OrganisationFactory,
    ReferralFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# --- a case with something in every field that anonymisation must clear -------------------------


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
    contact_log(
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
    note_add(case=case, author=staff, body=s["shared_note"], visibility="shared")
    police_involvement_update(
        case=case,
        actor=staff,
        police_force=force,
        crime_reference=s["crime_reference"],
        officer_name=s["officer_name"],
        officer_contact=s["officer_contact"],
    )
    court_event_add(
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


# --- what anonymised and untouched look like ----------------------------------------------------


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
    message = OutboundMessage.objects.get(case=case)
    assert message.body == REMOVED
    assert message.purpose == "appointment"


def assert_audit_clean(bundle: Bundle) -> None:
    """The trail of the case is all still there, and never held what was removed."""
    events = list(AuditEvent.objects.all().values())
    assert any(e["case_id"] == bundle.case.pk and e["action"] == "case.create" for e in events)
    text = json.dumps(events, default=str)
    for name, secret in bundle.secrets.items():
        if name in ("pronouns", "interpreter_language"):
            continue  # common words that appear in field names
        assert secret not in text, f"{name} appears in the audit trail"


# --- retention ----------------------------------------------------------------------------------

NOW = datetime(2033, 6, 15, 10, 0, tzinfo=UTC)
OVER_SIX_YEARS = datetime(2027, 6, 10, 10, 0, tzinfo=UTC)
UNDER_SIX_YEARS = datetime(2027, 6, 20, 10, 0, tzinfo=UTC)
OVER_ONE_YEAR = datetime(2032, 6, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def present():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def closed_at(moment: datetime, staff, force, liaison, tag: str) -> Bundle:
    """A case written and closed at ``moment`` (the clock is put back afterwards)."""
    with time_machine.travel(moment, tick=False):
        bundle = build(staff, force, liaison, tag)
        close(bundle, staff)
    return bundle


@pytest.fixture
def world(present, charity, caseworker, police_force, police_liaison):
    return {
        "staff": caseworker,
        "force": police_force,
        "liaison": police_liaison,
        "charity": charity,
    }


def make(world, moment, tag) -> Bundle:
    return closed_at(moment, world["staff"], world["force"], world["liaison"], tag)


def retention(*args) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_the_dry_run_lists_the_case_due_and_changes_nothing(world):
    due = make(world, OVER_SIX_YEARS, "A")
    kept = make(world, UNDER_SIX_YEARS, "B")
    before = fingerprint()
    events_before = AuditEvent.objects.count()

    output = retention("--dry-run")

    assert f"would anonymise {due.case.reference}" in output
    assert kept.case.reference not in output
    assert "1 case(s) due; nothing changed (dry run)." in output
    assert fingerprint() == before
    assert AuditEvent.objects.count() == events_before


def test_retention_anonymises_a_case_closed_over_the_period_ago_field_by_field(world):
    due = make(world, OVER_SIX_YEARS, "A")
    events_before = set(AuditEvent.objects.values_list("hash", flat=True))

    output = retention()

    assert f"anonymising {due.case.reference}" in output
    assert "Anonymised 1 case(s) and 1 client(s)." in output
    assert_case_anonymised(due)
    assert_client_anonymised(due)
    # Audit events are kept (none lost or changed) and hold none of the removed text.
    assert events_before <= set(AuditEvent.objects.values_list("hash", flat=True))
    assert_audit_clean(due)
    actions = set(AuditEvent.objects.filter(case_id=due.case.pk).values_list("action", flat=True))
    assert "case.anonymise" in actions


def test_retention_leaves_a_case_closed_within_the_period(world):
    due = make(world, OVER_SIX_YEARS, "A")
    kept = make(world, UNDER_SIX_YEARS, "B")

    retention()

    assert_case_anonymised(due)
    assert_untouched(kept)


def test_the_retention_period_is_measured_from_closing_not_opening(world):
    with time_machine.travel(OVER_SIX_YEARS - timedelta(days=400), tick=False):
        bundle = build(world["staff"], world["force"], world["liaison"], "A")
    with time_machine.travel(UNDER_SIX_YEARS, tick=False):
        close(bundle, world["staff"])

    retention()

    assert_untouched(bundle)


def test_an_open_case_is_never_anonymised_however_old(world):
    with time_machine.travel(OVER_SIX_YEARS - timedelta(days=800), tick=False):
        bundle = build(world["staff"], world["force"], world["liaison"], "A")

    retention()

    assert_untouched(bundle)
    assert Case.objects.get(pk=bundle.case.pk).support_status == "active"


def test_a_client_with_another_open_case_keeps_their_identity(world):
    due = make(world, OVER_SIX_YEARS, "A")
    open_case = CaseFactory(
        client=due.client, opened_by=world["staff"], offence_types=["harassment"]
    )
    note_add(case=open_case, author=world["staff"], body="Still in touch.", visibility="internal")

    output = retention()

    assert "Anonymised 1 case(s) and 0 client(s)." in output
    assert_case_anonymised(due)
    assert_identity_kept(due)
    open_case.refresh_from_db()
    assert open_case.anonymised_at is None
    assert Note.objects.get(case=open_case).body == "Still in touch."


def test_an_organisation_with_a_shorter_period_anonymises_sooner(
    world, police_force, police_liaison
):
    brief = OrganisationFactory(retention_years=1)
    brief_staff = UserFactory(organisation=brief)
    usual = make(world, OVER_ONE_YEAR, "A")
    shorter = closed_at(OVER_ONE_YEAR, brief_staff, police_force, police_liaison, "B")

    retention()

    assert_case_anonymised(shorter)
    assert_client_anonymised(shorter)
    assert_untouched(usual)


def test_a_second_run_finds_nothing_more_to_do(world):
    make(world, OVER_SIX_YEARS, "A")
    retention()
    after = fingerprint()

    output = retention()

    assert "Anonymised 0 case(s) and 0 client(s)." in output
    assert fingerprint() == after


def test_the_retention_task_body_does_the_same(world):
    due = make(world, OVER_SIX_YEARS, "A")
    kept = make(world, UNDER_SIX_YEARS, "B")

    result = apply_retention.run()

    assert result == {"cases": 1, "clients": 1}
    assert_case_anonymised(due)
    assert_client_anonymised(due)
    assert_untouched(kept)
    assert_audit_clean(due)


def test_free_text_beyond_the_case_record_goes_too(world):
    """A hearing's date-change reason and a reminder's snooze reason are free text about the
    client like any note (the anonymiser promises "every free-text field")."""
    moved = "Adjourned: she is in the Women's Aid refuge in Bradford"
    snoozed = "In hospital after the assault by Pike until the 20th"
    staff = world["staff"]
    with time_machine.travel(OVER_SIX_YEARS - timedelta(days=2), tick=False):
        bundle = build(staff, world["force"], world["liaison"], "A")
        hearing = court_event_add(
            case=bundle.case,
            actor=staff,
            hearing_type="trial",
            court="Leeds Crown Court",
            starts_at=timezone.now() + timedelta(days=20),
        )
        court_event_update(
            event=hearing,
            actor=staff,
            starts_at=timezone.now() + timedelta(days=40),
            date_change_reason=moved,
        )
        reminder = Reminder.objects.create(
            organisation=staff.organisation,
            kind="court_date",
            case=bundle.case,
            assignee=staff,
            due_at=timezone.now() + timedelta(days=1),
            dedup_key=f"test:{bundle.case.pk}",
        )
        reminder_snooze(
            reminder=reminder, by=staff, until=timezone.now() + timedelta(days=2), reason=snoozed
        )
        close(bundle, staff)

    retention()

    assert Case.objects.get(pk=bundle.case.pk).anonymised_at is not None
    kept = {
        "date change reason": list(
            CourtEventDateChange.objects.filter(event__case=bundle.case).values_list(
                "reason", flat=True
            )
        ),
        "snooze reason": list(
            Reminder.objects.filter(case=bundle.case).values_list("snooze_reason", flat=True)
        ),
    }
    assert moved not in kept["date change reason"], kept
    assert snoozed not in kept["snooze reason"], kept


def test_anonymisation_ends_police_access_to_the_case(world):
    due = make(world, OVER_SIX_YEARS, "A")
    retention()
    share = SharedCase.objects.get(pk=due.share.pk)
    assert share.status == "ended"


# --- subject access through the API -------------------------------------------------------------


@pytest.fixture
def bundle(caseworker, police_force, police_liaison) -> Bundle:
    return build(caseworker, police_force, police_liaison, "S")


def export_url(bundle: Bundle, fmt: str | None = None) -> str:
    url = f"/api/v1/clients/{bundle.client.pk}/export/"
    return f"{url}?format={fmt}" if fmt else url


def test_a_supervisor_exports_everything_held_about_the_client_as_json(
    as_supervisor, supervisor, bundle
):
    response = as_supervisor.get(export_url(bundle))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    s = bundle.secrets
    client = data["client"]
    assert client["pseudonym"] == s["pseudonym"]
    assert client["legal_name"] == s["legal_name"]
    assert client["date_of_birth"] == "1993-07-14"
    assert client["vulnerability_flags"] == ["no_fixed_address", "substance_use"]
    methods = {m["kind"]: m for m in data["contact_methods"]}
    assert methods["email"]["value"] == s["email"] and methods["email"]["status"] == "retired"
    assert methods["third_party"]["third_party_name"] == s["third_party"]
    assert methods["mobile"]["value"].startswith("+44")
    [case] = data["cases"]
    assert case["case"]["reference"] == bundle.case.reference
    assert case["referral"][0]["summary"] == s["summary"]
    assert case["referral"][0]["referrer_name"] == s["referrer_name"]
    reasons = {t["reason"] for t in case["lifecycle"]}
    assert {s["transition_reason"], s["justice_reason"]} <= reasons
    assert [c["note"] for c in case["contact_log"]] == [s["contact_note"]]
    assert {n["body"] for n in case["notes"]} == {s["note"], s["shared_note"]}
    assert s["consent_note"] in {c["note"] for c in case["consents"]}
    assert {c["scope"] for c in case["consents"]} == {"store_records", "share_with_police"}
    assert s["police_update"] in {u["body"] for u in case["shared_updates"]}
    assert [e["outcome"] for e in case["court_events"]] == [s["court_outcome"]]
    assert [n["note"] for n in case["support_needs"]] == [s["need_note"]]
    assert [r["notes"] for r in case["risk_assessments"]] == [s["risk_notes"]]
    assert [m["body"] for m in case["messages"]] == [s["message"]]
    assert case["shares"][0]["status"] == "active"

    event = AuditEvent.objects.get(action="client.export")
    assert event.actor_id == supervisor.id
    assert event.object_id == str(bundle.client.pk)
    assert event.detail == {"format": "json"}


def test_the_zip_export_holds_the_data_and_a_readable_summary(as_supervisor, bundle):
    response = as_supervisor.get(export_url(bundle, "zip"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="client-{bundle.client.pk}.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["data.json", "summary.txt"]
    data = json.loads(archive.read("data.json"))
    assert data["client"]["pseudonym"] == bundle.secrets["pseudonym"]
    assert data["cases"][0]["notes"]
    summary = archive.read("summary.txt").decode("utf-8")
    assert bundle.secrets["pseudonym"] in summary
    assert bundle.secrets["legal_name"] in summary
    assert bundle.case.reference in summary
    assert "data.json" in summary
    assert AuditEvent.objects.get(action="client.export").detail == {"format": "zip"}


def test_an_unknown_export_format_is_refused(as_supervisor, bundle):
    response = as_supervisor.get(export_url(bundle, "xml"))
    assert response.status_code == 400
    assert "format" in response.json()["fields"]
    assert not AuditEvent.objects.filter(action="client.export").exists()


@pytest.mark.parametrize("who", ["caseworker", "isva", "police_liaison"])
def test_only_a_supervisor_may_export(who, request, bundle):
    api = client_for(request.getfixturevalue(who))
    for fmt in (None, "zip"):
        response = api.get(export_url(bundle, fmt))
        assert response.status_code == 403, (who, response.status_code)
    assert not AuditEvent.objects.filter(action="client.export").exists()


def test_another_charitys_supervisor_gets_404(other_charity, bundle):
    api = client_for(SupervisorFactory(organisation=other_charity))
    assert api.get(export_url(bundle)).status_code == 404
    assert api.post(f"/api/v1/clients/{bundle.client.pk}/erase/", {"reason": "x"}).status_code == (
        404
    )
    assert not AuditEvent.objects.filter(action__in=["client.export", "client.erase"]).exists()
    assert Client.objects.get(pk=bundle.client.pk).anonymised_at is None


# --- erasure through the API --------------------------------------------------------------------

REASON = "Client asked by letter for everything to be erased (Article 17)."


def erase(api, bundle: Bundle, **body):
    return api.post(f"/api/v1/clients/{bundle.client.pk}/erase/", body, format="json")


def charged(bundle: Bundle, staff) -> None:
    case_transition(
        case=bundle.case,
        actor=staff,
        lifecycle="justice",
        to="charged",
        reason="CPS authorised a charge.",
        decision={"decided_on": timezone.localdate()},
    )


def hearing_ahead(bundle: Bundle, staff) -> None:
    court_event_add(
        case=bundle.case,
        actor=staff,
        hearing_type="trial",
        court="Leeds Crown Court",
        starts_at=timezone.now() + timedelta(days=30),
    )


@pytest.mark.parametrize("court_process", [charged, hearing_ahead], ids=["charged", "hearing"])
def test_erasure_is_refused_while_a_court_case_is_open(
    as_supervisor, as_police, caseworker, bundle, court_process
):
    court_process(bundle, caseworker)
    before = fingerprint()

    response = erase(as_supervisor, bundle, reason=REASON)

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "court_case_open"
    assert fingerprint() == before
    assert not ErasureRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="client.erase").exists()
    assert as_police.get(f"/api/v1/shared-cases/{bundle.share.pk}/").status_code == 200


def test_forced_erasure_with_a_reason_anonymises_everything_and_ends_police_access(
    as_supervisor, as_police, supervisor, caseworker, bundle
):
    charged(bundle, caseworker)
    assert as_police.get(f"/api/v1/shared-cases/{bundle.share.pk}/").status_code == 200

    response = erase(as_supervisor, bundle, reason=REASON, force=True)

    assert response.status_code == 200, response.json()
    assert response.json()["pseudonym"] == "Anonymised"
    assert response.json()["legal_name"] is None
    assert_client_anonymised(bundle)
    assert_case_anonymised(bundle, stage="charged")
    case = Case.objects.get(pk=bundle.case.pk)
    assert case.support_status == "closed" and case.closure_reason == "other"
    assert SharedCase.objects.get(pk=bundle.share.pk).status == "ended"
    assert as_police.get(f"/api/v1/shared-cases/{bundle.share.pk}/").status_code == 404

    record = ErasureRecord.objects.get(client=bundle.client)
    assert record.forced is True
    assert record.requested_by_id == supervisor.id
    assert record.reason == REASON
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM privacy_erasurerecord WHERE id = %s", [record.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1:") and "Article 17" not in stored

    event = AuditEvent.objects.get(action="client.erase")
    assert event.actor_id == supervisor.id
    assert event.object_id == str(bundle.client.pk)
    assert event.detail == {"forced": True}
    assert_audit_clean(bundle)
    assert "Article 17" not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_erasure_without_a_court_case_needs_no_force(as_supervisor, bundle):
    response = erase(as_supervisor, bundle, reason=REASON)

    assert response.status_code == 200, response.json()
    assert_client_anonymised(bundle)
    assert_case_anonymised(bundle)
    assert ErasureRecord.objects.get(client=bundle.client).forced is False
    assert AuditEvent.objects.get(action="client.erase").detail == {"forced": False}


def test_erasing_twice_is_refused(as_supervisor, bundle):
    assert erase(as_supervisor, bundle, reason=REASON).status_code == 200

    again = erase(as_supervisor, bundle, reason=REASON, force=True)

    assert again.status_code == 409
    assert again.json()["code"] == "already_erased"
    assert ErasureRecord.objects.filter(client=bundle.client).count() == 1
    assert AuditEvent.objects.filter(action="client.erase").count() == 1


@pytest.mark.parametrize("body", [{}, {"force": True}, {"reason": ""}, {"reason": "   "}])
def test_erasure_without_a_reason_is_refused(as_supervisor, bundle, body):
    before = fingerprint()

    response = erase(as_supervisor, bundle, **body)

    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert fingerprint() == before
    assert not ErasureRecord.objects.exists()


@pytest.mark.parametrize("who", ["caseworker", "isva", "police_liaison"])
def test_only_a_supervisor_may_erase(who, request, bundle):
    api = client_for(request.getfixturevalue(who))
    before = fingerprint()
    response = erase(api, bundle, reason=REASON, force=True)
    assert response.status_code == 403
    assert fingerprint() == before
