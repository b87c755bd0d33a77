"""The one registry of what every stored field holds, and so how it is protected.

Every concrete field of every Casework model has a class here:

* ``identity``: who a person is (names, date of birth, pronouns, languages);
* ``contact``: how to reach a person (a number, an address, an officer's details);
* ``special``: free text that can say anything about a person's life, health or safety;
* ``operational``: what the service needs to run (states, dates, choices, staff accounts);
* ``none``: keys, hashes, counters and references that say nothing about anyone.

The first three are personal: each is stored encrypted, goes into a subject-access export and
is cleared when a case or client is anonymised. A field of text classified as not personal says
why beside it. Tests fail when a model gains a field this registry does not name, when a
personal field is stored in plaintext, and when ``docs/data-classification.md`` (written from
here by ``manage.py data_classification --write``) is not current."""

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.db import models


class DataClass(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    SPECIAL = "special"
    OPERATIONAL = "operational"
    NONE = "none"


PERSONAL = frozenset({DataClass.IDENTITY, DataClass.CONTACT, DataClass.SPECIAL})


@dataclass(frozen=True)
class Classified:
    model: str  # app_label.Model
    field: str
    data_class: DataClass
    reason: str = ""

    @property
    def personal(self) -> bool:
        return self.data_class in PERSONAL


# Reasons shared by many fields.
HASH = "a one-way or keyed hash: it cannot be turned back into what it hides"
STAFF = (
    "a staff account: the organisation's record of its own staff, needed in plaintext to sign "
    "in and to say who did what; never data about the people supported"
)
CODE = "written by Casework from a fixed list or a pattern, never typed about a person"
AUDIT = (
    "the audit trail names records by type and id and changes by field name only; it never "
    "holds personal data (tests/domain/test_audit_trail.py)"
)
ORG = "about an organisation, not a person"


def _model(
    label: str,
    *,
    identity: tuple[str, ...] = (),
    contact: tuple[str, ...] = (),
    special: tuple[str, ...] = (),
    operational: tuple[str, ...] = (),
    none: tuple[str, ...] = (),
    reasons: dict[str, str] | None = None,
) -> list[Classified]:
    reasons = reasons or {}
    entries = []
    for data_class, names in (
        (DataClass.IDENTITY, identity),
        (DataClass.CONTACT, contact),
        (DataClass.SPECIAL, special),
        (DataClass.OPERATIONAL, operational),
        (DataClass.NONE, none),
    ):
        entries += [Classified(label, n, data_class, reasons.get(n, "")) for n in names]
    unknown = set(reasons) - {e.field for e in entries}
    if unknown:
        raise ValueError(f"{label}: reasons for fields not classified: {sorted(unknown)}")
    return entries


REGISTRY: list[Classified] = [
    *_model(
        "accounts.Organisation",
        operational=(
            "name",
            "code",
            "kind",
            "require_two_factor",
            "retention_years",
            "unconverted_retention_months",
            "areas",
            "attachment_max_bytes",
            "stats_threshold",
        ),
        none=("version", "id", "is_active", "created_at"),
        reasons={
            "name": ORG,
            "code": ORG,
            "areas": "the organisation's own list of areas, chosen by its supervisors",
        },
    ),
    *_model(
        "accounts.User",
        operational=(
            "username",
            "first_name",
            "last_name",
            "email",
            "organisation",
            "role",
            "is_superuser",
            "is_staff",
            "is_active",
            "last_login",
            "date_joined",
        ),
        none=("version", "id", "password"),
        reasons={
            "username": STAFF,
            "first_name": STAFF,
            "last_name": STAFF,
            "email": STAFF,
            "password": "an Argon2id hash",
        },
    ),
    *_model(
        "accounts.ApiKey",
        operational=(
            "name",
            "organisation",
            "scopes",
            "created_by",
            "revoked",
            "revoked_at",
            "expiry_date",
            "created",
            "last_used_at",
        ),
        none=("id", "prefix", "hashed_key", "public_id"),
        reasons={
            "name": "names another system, not a person",
            "id": "the key's prefix and hash",
            "prefix": "the key's public prefix, which grants nothing alone",
            "hashed_key": HASH,
        },
    ),
    *_model(
        "accounts.RecoveryCodeDevice",
        operational=("user", "name", "confirmed"),
        none=("id",),
        reasons={"name": CODE},
    ),
    *_model(
        "accounts.RecoveryCode",
        none=("id", "device", "code_hash"),
        reasons={"code_hash": HASH},
    ),
    *_model(
        "accounts.AuthenticatorDevice",
        operational=(
            "user",
            "name",
            "confirmed",
            "throttling_failure_timestamp",
            "throttling_failure_count",
            "created_at",
            "last_used_at",
            "last_t",
        ),
        none=("id", "key"),
        reasons={
            "name": CODE,
            "key": "a sign-in secret, not personal data; encrypted all the same",
        },
    ),
    *_model(
        "core.Heartbeat",
        none=("name", "seen_at"),
        reasons={"name": "names a part of the service (beat, or a worker by its host name)"},
    ),
    *_model(
        "core.IdempotencyRecord",
        none=("id", "principal", "scope", "key", "fingerprint", "status_code", "created_at"),
        operational=("response",),
        reasons={
            "response": (
                "the first answer to a create, kept so that a retry gets the same answer: "
                "encrypted with the field keyring like personal data, and purged after a day"
            ),
            "principal": "a user or API key id",
            "scope": CODE,
            "key": "a caller's random retry key",
            "fingerprint": HASH,
        },
    ),
    *_model(
        "audit.AuditEvent",
        operational=(
            "occurred_at",
            "organisation",
            "actor",
            "actor_organisation",
            "actor_kind",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "case_id",
            "case_ids",
            "client_id",
            "changed_fields",
            "detail",
            "request_id",
            "ip_address",
        ),
        none=("id", "public_id", "chain", "sequence", "previous_hash", "hash", "hash_key_id"),
        reasons={
            "actor_label": STAFF,
            "action": AUDIT,
            "object_type": AUDIT,
            "object_id": AUDIT,
            "changed_fields": AUDIT,
            "detail": AUDIT,
            "request_id": CODE,
            "ip_address": "the address staff or a system called from; kept for security",
            "chain": CODE,
            "previous_hash": HASH,
            "hash": HASH,
            "hash_key_id": CODE,
        },
    ),
    *_model(
        "clients.Client",
        identity=(
            "pseudonym",
            "legal_name",
            "date_of_birth",
            "pronouns",
            "languages",
            "interpreter_language",
        ),
        operational=(
            "organisation",
            "interpreter_needed",
            "work_settings",
            "vulnerability_flags",
            "anonymised_at",
            "created_at",
            "updated_at",
            "created_by",
        ),
        none=("version", "id", "pseudonym_hash"),
        reasons={
            "work_settings": "choices from a fixed list, counted in statistics; they identify "
            "no one without the encrypted identity",
            "vulnerability_flags": "choices from a fixed list that the reminders and statistics "
            "read; they identify no one without the encrypted identity",
            "pseudonym_hash": HASH,
        },
    ),
    *_model(
        "clients.ContactMethod",
        contact=("value", "third_party_name"),
        special=("retired_reason",),
        operational=(
            "client",
            "kind",
            "safe_to_call",
            "safe_to_text",
            "safe_to_voicemail",
            "safe_times",
            "preferred",
            "police_may_use",
            "status",
            "consecutive_failures",
            "verified_at",
            "last_success_at",
            "last_failure_at",
            "retired_at",
            "created_at",
            "updated_at",
            "created_by",
        ),
        none=("version", "id", "value_hash"),
        reasons={
            "safe_times": "days of the week and times of day, checked by the message sweep",
            "value_hash": HASH,
        },
    ),
    *_model(
        "cases.Referral",
        identity=("referrer_name", "person_pseudonym"),
        contact=("contact_value",),
        special=("summary", "decline_note"),
        operational=(
            "organisation",
            "source",
            "received_at",
            "incident_date",
            "offence_types",
            "urgency",
            "referrer_organisation",
            "contact_kind",
            "contact_safe_to_call",
            "contact_safe_to_text",
            "contact_safe_to_voicemail",
            "contact_safe_times",
            "status",
            "decline_reason",
            "decided_at",
            "anonymised_at",
            "decided_by",
            "created_at",
            "created_by",
            "created_by_api_key",
        ),
        none=("id",),
        reasons={
            "referrer_organisation": ORG,
            "contact_safe_times": "days of the week and times of day",
        },
    ),
    *_model(
        "cases.Case",
        special=("incident_area",),
        operational=(
            "organisation",
            "reference",
            "client",
            "referral",
            "offence_types",
            "incident_date",
            "area",
            "risk_level",
            "support_status",
            "justice_stage",
            "opened_at",
            "closed_at",
            "closure_reason",
            "anonymised_at",
            "last_reached_at",
            "created_at",
            "updated_at",
            "created_by",
        ),
        none=("id", "version"),
        reasons={
            "reference": CODE,
            "area": "one of the organisation's own areas, from its list",
            "last_reached_at": "a copy of the latest reached or met contact's moment in the "
            "contact log, kept for ordering caseloads",
        },
    ),
    *_model(
        "cases.CaseReferenceCounter",
        none=("id", "organisation", "year", "last_number"),
    ),
    *_model(
        "cases.CaseAssignment",
        operational=("case", "user", "role", "assigned_at", "assigned_by"),
        none=("id",),
    ),
    *_model(
        "cases.CaseTransition",
        special=("reason",),
        operational=(
            "case",
            "lifecycle",
            "from_state",
            "to_state",
            "closure_reason",
            "occurred_at",
            "actor",
        ),
        none=("id",),
        reasons={"from_state": CODE, "to_state": CODE},
    ),
    *_model(
        "cases.ContactLogEntry",
        special=("note",),
        operational=(
            "case",
            "contact_method",
            "occurred_at",
            "channel",
            "direction",
            "outcome",
            "duration_minutes",
            "corrects",
            "recorded_at",
            "recorded_by",
            "updated_at",
        ),
        none=(
            "version",
            "id",
        ),
    ),
    *_model(
        "cases.Note",
        special=("body",),
        operational=("case", "visibility", "created_at", "author"),
        none=("id",),
    ),
    *_model(
        "cases.CaseUserObjectPermission",
        none=("id", "permission", "user", "content_object"),
    ),
    *_model(
        "cases.CaseGroupObjectPermission",
        none=("id", "permission", "group", "content_object"),
    ),
    *_model(
        "sharing.ConsentDecision",
        special=("note",),
        operational=(
            "case",
            "scope",
            "granted",
            "police_force",
            "method",
            "recorded_by",
            "recorded_at",
            "review_date",
            "caused_by",
            "kind",
            "override_ground",
            "override_expires_at",
            "approval",
        ),
        none=("id", "public_id"),
    ),
    *_model(
        "sharing.SharedCase",
        operational=(
            "case",
            "police_force",
            "share_reference",
            "level",
            "contact_directly",
            "status",
            "review_date",
            "override_ground",
            "override_until",
            "started_at",
            "ended_at",
            "updated_at",
        ),
        none=("id",),
        reasons={"share_reference": CODE},
    ),
    *_model(
        "sharing.SharedUpdate",
        special=("body",),
        operational=("shared_case", "kind", "from_police", "author", "note", "created_at"),
        none=("id",),
    ),
    *_model(
        "sharing.PoliceInvolvement",
        identity=("crime_reference",),
        contact=("officer_name", "officer_contact"),
        operational=(
            "case",
            "police_force",
            "investigation_status",
            "charging_decision",
            "charging_decision_date",
            "updated_at",
            "updated_by",
        ),
        none=("id", "version"),
    ),
    *_model(
        "sharing.SharedCaseUserObjectPermission",
        none=("id", "permission", "user", "content_object"),
    ),
    *_model(
        "sharing.SharedCaseGroupObjectPermission",
        none=("id", "permission", "group", "content_object"),
    ),
    *_model(
        "alerts.Alert",
        special=("what_happened", "offender_description"),
        operational=(
            "organisation",
            "case",
            "consent_decision",
            "status",
            "area",
            "week_of",
            "show_identifiers",
            "revises",
            "author",
            "created_at",
            "updated_at",
            "approval",
            "published_at",
            "reviewed_by",
            "expires_at",
            "retracted_at",
            "retraction_reason",
            "closed_at",
        ),
        none=("id", "reference"),
        reasons={
            "area": "one of the organisation's own list of areas, chosen, never typed",
            "reference": "a random reference written by Casework",
        },
    ),
    *_model(
        "alerts.AlertIdentifier",
        contact=("value",),
        operational=("alert", "kind"),
        none=("id", "value_hash", "hash_key_id"),
        reasons={
            "value_hash": HASH,
            "hash_key_id": "the id of the checker key that made the hash",
        },
    ),
    *_model(
        "alerts.CheckerUsage",
        operational=("organisation", "day", "queries"),
        none=("id", "caller"),
        reasons={
            "caller": "an API key's public id or a member of staff's id: never what was asked",
        },
    ),
    *_model(
        "contact_requests.ContactRequest",
        special=("explanation", "client_reason"),
        operational=(
            "case",
            "shared_case",
            "requested_by",
            "purpose",
            "urgency",
            "preferred_contact",
            "window_from",
            "window_until",
            "created_at",
            "respond_by",
            "status",
            "answered_at",
            "answered_by",
            "route",
            "contact_method",
            "consent_decision",
            "closed_at",
        ),
        none=("id",),
    ),
    *_model(
        "court.CourtEvent",
        special=("outcome",),
        operational=(
            "case",
            "hearing_type",
            "court",
            "starts_at",
            "status",
            "special_measures_requested",
            "special_measures_granted",
            "pre_trial_visit_done",
            "added_by_police",
            "shared_case",
            "created_at",
            "created_by",
            "updated_at",
        ),
        none=("id", "version"),
        reasons={
            "court": "the name of a court, a public building; calendars and reminders show it"
        },
    ),
    *_model(
        "court.CourtEventDateChange",
        special=("reason",),
        operational=("event", "previous_starts_at", "new_starts_at", "changed_at", "changed_by"),
        none=("id",),
    ),
    *_model(
        "court.JusticeDecision",
        operational=(
            "case",
            "transition",
            "kind",
            "decided_on",
            "client_told_on",
            "told_by",
            "recorded_at",
            "recorded_by",
        ),
        none=("id",),
    ),
    *_model(
        "court.Entitlement",
        special=("not_applicable_reason",),
        operational=(
            "case",
            "decision",
            "court_event",
            "right",
            "provider",
            "working_days",
            "enhanced",
            "triggered_on",
            "due_on",
            "status",
            "met_on",
            "acknowledged_on",
            "created_at",
        ),
        none=("id",),
        reasons={"right": CODE, "provider": CODE},
    ),
    *_model(
        "court.CalendarFeed",
        operational=("user", "created_at", "revoked_at", "last_fetched_at"),
        none=("id", "token_hash"),
        reasons={"token_hash": HASH},
    ),
    *_model(
        "support.NeedRecord",
        special=("agency", "note"),
        operational=("case", "need", "status", "recorded_at", "recorded_by"),
        none=("id",),
    ),
    *_model(
        "support.SafetyPlanItem",
        operational=("case", "created_at"),
        none=(
            "version",
            "id",
        ),
    ),
    *_model(
        "support.SafetyPlanRevision",
        special=("description",),
        operational=("item", "review_on", "status", "recorded_at", "recorded_by"),
        none=("id",),
    ),
    *_model(
        "support.RiskAssessment",
        special=("notes",),
        operational=("case", "assessed_on", "level", "assessor", "recorded_at"),
        none=("id",),
    ),
    *_model(
        "reminders.ReminderPolicy",
        operational=(
            "organisation",
            "reverify_after_days",
            "no_contact_after_days",
            "failures_before_escalation",
            "court_reminder_days_before",
            "court_reminder_working_days_before",
            "consent_review_lead_days",
            "police_update_overdue_days",
            "contact_request_response_working_days",
            "records_request_working_days",
            "updated_at",
            "updated_by",
        ),
        none=(
            "version",
            "id",
        ),
    ),
    *_model(
        "reminders.Reminder",
        special=("snooze_reason",),
        operational=(
            "organisation",
            "kind",
            "case",
            "shared_case",
            "assignee",
            "due_at",
            "status",
            "detail",
            "snoozed_until",
            "completed_at",
            "completed_by",
            "cancelled_at",
            "emailed_at",
            "created_at",
        ),
        none=("id", "dedup_key"),
        reasons={"detail": "ids and dates only", "dedup_key": CODE},
    ),
    *_model(
        "reminders.ReminderPreference",
        operational=("user", "email_each", "daily_digest"),
        none=(
            "version",
            "id",
        ),
    ),
    *_model(
        "reminders.DigestDelivery",
        operational=("user", "day", "sent_at"),
        none=("id",),
    ),
    *_model(
        "reminders.OutboundMessage",
        special=("body", "failure_reason"),
        operational=(
            "case",
            "purpose",
            "channel",
            "send_after",
            "status",
            "contact_method",
            "attempts",
            "sending_started_at",
            "sent_at",
            "created_at",
            "created_by",
        ),
        none=("id",),
    ),
    *_model(
        "reminders.GatewayDelivery",
        operational=("message", "backend", "accepted_at"),
        none=("id", "reference"),
        reasons={"backend": CODE, "reference": "the gateway's own id for the message"},
    ),
    *_model(
        "webhooks.WebhookSubscription",
        operational=(
            "organisation",
            "url",
            "events",
            "active",
            "previous_secret_expires_at",
            "consecutive_failures",
            "paused_at",
            "pause_reason",
            "created_by",
            "created_at",
            "updated_at",
        ),
        none=("version", "id", "secret", "previous_secret"),
        reasons={
            "url": "the organisation's own system's address, chosen by its managers",
            "events": CODE,
            "pause_reason": CODE,
            "secret": "a signing key, stored encrypted, shown once to the organisation",
            "previous_secret": "a signing key, stored encrypted, shown once to the organisation",
        },
    ),
    *_model(
        "webhooks.WebhookEvent",
        operational=("organisation", "type", "version", "occurred_at", "subject"),
        none=("id",),
        reasons={
            "type": CODE,
            "subject": "ids of the records an event is about, never what they say",
        },
    ),
    *_model(
        "webhooks.WebhookDelivery",
        operational=(
            "subscription",
            "event",
            "status",
            "attempts",
            "next_attempt_at",
            "retry_until",
            "last_attempt_at",
            "response_status",
            "last_error",
            "duration_ms",
            "delivered_at",
            "created_at",
        ),
        none=("id",),
        reasons={"last_error": CODE},
    ),
    *_model(
        "disclosures.Disclosure",
        special=("content",),
        operational=(
            "case",
            "kind",
            "recipient",
            "destination",
            "shared_case",
            "series",
            "version",
            "consent_decision",
            "override_reference",
            "content_type",
            "sent_at",
            "sent_by",
        ),
        none=("id", "content_hash"),
        reasons={
            "destination": "where an organisation receives packages (a webhook's address)",
            "series": CODE,
            "content_type": CODE,
            "content_hash": HASH,
        },
    ),
    *_model(
        "attachments.Attachment",
        special=("description", "original_name"),
        operational=(
            "case",
            "kind",
            "family",
            "media_type",
            "extension",
            "size",
            "contact_log_entry",
            "note",
            "court_event",
            "uploaded_by",
            "uploaded_at",
            "updated_at",
            "retired_at",
            "retired_by",
        ),
        none=("version", "id", "content_hash", "storage_name", "data_key"),
        reasons={
            "media_type": "found by Casework from the file's content, from a fixed list",
            "extension": CODE,
            "content_hash": HASH,
            "storage_name": "a random name in the attachment storage, saying nothing of the file",
            "data_key": "the file's own key, sealed by the field keyring (the file itself is "
            "sealed under it in the attachment storage and goes into a subject-access export)",
        },
    ),
    *_model(
        "attachments.AttachmentShare",
        operational=(
            "attachment",
            "shared_case",
            "shared_by",
            "shared_at",
            "disclosure",
            "withdrawn_at",
            "withdrawn_by",
        ),
        none=("id",),
    ),
    *_model(
        "disclosures.RecordsRequest",
        special=(
            "material",
            "line_of_enquiry",
            "necessity",
            "proportionality",
            "client_not_told_reason",
            "decision_reason",
            "reason_for_police",
        ),
        operational=(
            "case",
            "shared_case",
            "requested_by",
            "requested_at",
            "respond_by",
            "status",
            "client_told_on",
            "client_notice_by",
            "client_notice_at",
            "decision",
            "decided_by",
            "decided_at",
            "disclosure",
        ),
        none=("id",),
    ),
    *_model(
        "privacy.ErasureRecord",
        special=("reason",),
        operational=("client", "requested_by", "forced", "approval", "erased_at"),
        none=("id",),
    ),
    *_model(
        "approvals.Approval",
        special=("reason", "client_not_told_reason", "decision_reason"),
        operational=(
            "organisation",
            "kind",
            "status",
            "case",
            "description",
            "payload",
            "proposed_by",
            "proposed_at",
            "expires_at",
            "decided_by",
            "decided_at",
            "result",
        ),
        none=("id",),
        reasons={
            "description": "written by Casework from the action's references, names of police "
            "forces, choices and numbers, never from anything typed about a person",
            "payload": "the ids, choices and numbers the action is done with",
            "result": "the ids of what the approved action made",
        },
    ),
]


# How the rows of each model holding data about a client lead to that client (a query
# path from the model to ``clients.Client``); the export and anonymisation follow these.
CLIENT_PATHS: dict[str, str] = {
    "clients.Client": "",
    "clients.ContactMethod": "client",
    "cases.Referral": "case__client",
    "cases.Case": "client",
    "cases.CaseTransition": "case__client",
    "cases.ContactLogEntry": "case__client",
    "cases.Note": "case__client",
    "sharing.ConsentDecision": "case__client",
    "sharing.SharedUpdate": "shared_case__case__client",
    "sharing.PoliceInvolvement": "case__client",
    "contact_requests.ContactRequest": "case__client",
    "alerts.Alert": "case__client",
    "alerts.AlertIdentifier": "alert__case__client",
    "court.CourtEvent": "case__client",
    "court.CourtEventDateChange": "event__case__client",
    "court.JusticeDecision": "case__client",
    "court.Entitlement": "case__client",
    "support.NeedRecord": "case__client",
    "support.SafetyPlanRevision": "item__case__client",
    "support.RiskAssessment": "case__client",
    "reminders.Reminder": "case__client",
    "reminders.OutboundMessage": "case__client",
    "disclosures.Disclosure": "case__client",
    "attachments.Attachment": "case__client",
    "disclosures.RecordsRequest": "case__client",
    "privacy.ErasureRecord": "client",
    "approvals.Approval": "case__client",
}


def classified() -> dict[tuple[str, str], Classified]:
    return {(e.model, e.field): e for e in REGISTRY}


def classification_of(model: type[models.Model]) -> dict[str, Classified]:
    label = model._meta.label
    return {e.field: e for e in REGISTRY if e.model == label}


def personal_fields(model: type[models.Model]) -> list[str]:
    """The model's personal fields, in the model's own order."""
    entries = classification_of(model)
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name in entries and entries[f.name].personal
    ]


def project_models() -> Iterator[type[models.Model]]:
    for config in apps.get_app_configs():
        if config.name.startswith("casework."):
            yield from config.get_models()


def rows_about(model: type[models.Model], client) -> models.QuerySet:
    """The model's rows about one client, whatever their state (the base manager)."""
    path = CLIENT_PATHS[model._meta.label]
    if not path:
        return model._base_manager.filter(pk=client.pk)
    return model._base_manager.filter(**{path: client})


def case_path(model: type[models.Model]) -> str | None:
    """The query path from the model to its case, for a model kept per case."""
    path = CLIENT_PATHS.get(model._meta.label, "")
    if path.endswith("case__client"):
        return path.removesuffix("__client")
    return None


DOCUMENT = "docs/data-classification.md"
CLASS_MEANINGS = {
    DataClass.IDENTITY: "who a person is",
    DataClass.CONTACT: "how to reach a person",
    DataClass.SPECIAL: "free text that can say anything about a person's life, health or safety",
    DataClass.OPERATIONAL: "what the service needs to run",
    DataClass.NONE: "keys, hashes, counters and references that say nothing about anyone",
}


def render_markdown() -> str:
    """``docs/data-classification.md``, from the registry and the models."""
    from casework.crypto.fields import EncryptedTextField

    lines = [
        "# Data classification",
        "",
        "Every field Casework stores, its class and how it is kept. Written from",
        "`casework/privacy/classification.py` by `python manage.py data_classification --write`;",
        "`tests/domain/privacy/test_data_classification.py` fails when this file is not current,",
        "when a field has no class, and when a personal field is stored in plaintext.",
        "",
        "Personal classes (identity, contact, special) are encrypted with the field keyring, go",
        "into a subject-access export and are cleared when a case or client is anonymised.",
        "",
        "| class | personal | meaning |",
        "| --- | --- | --- |",
    ]
    for data_class, meaning in CLASS_MEANINGS.items():
        personal = "yes" if data_class in PERSONAL else "no"
        lines.append(f"| {data_class} | {personal} | {meaning} |")
    entries = classified()
    for model in sorted(project_models(), key=lambda m: m._meta.label):
        label = model._meta.label
        lines += ["", f"## {label}", ""]
        path = CLIENT_PATHS.get(label)
        if path is not None:
            lines += [f"About a client through `{path or 'itself'}`.", ""]
        lines += ["| field | class | stored | why not personal |", "| --- | --- | --- | --- |"]
        for field in model._meta.concrete_fields:
            entry = entries.get((label, field.name))
            shown = str(entry.data_class) if entry else "UNCLASSIFIED"
            stored = "encrypted" if isinstance(field, EncryptedTextField) else "plaintext"
            reason = entry.reason if entry else ""
            lines.append(f"| `{field.name}` | {shown} | {stored} | {reason} |")
    return "\n".join(lines) + "\n"
