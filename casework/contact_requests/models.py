"""A police force's request to reach the person behind a shared case, and the client's answer.

The force asks on a share (anonymous ones included); the charity asks the client; the force
learns only the answer (``services.answer_told_to_force``). The request's free text and the
reason a client gave are the charity's, encrypted, and never leave it."""

import uuid

from django.conf import settings
from django.db import models

from casework.crypto import EncryptedTextField

from .choices import (
    AgreedRoute,
    ContactRequestPurpose,
    ContactRequestStatus,
    ContactRequestUrgency,
    PreferredContact,
)

User = settings.AUTH_USER_MODEL


class ContactRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="contact_requests"
    )
    shared_case = models.ForeignKey(
        "sharing.SharedCase", on_delete=models.PROTECT, related_name="contact_requests"
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=24, choices=ContactRequestPurpose.choices)
    explanation = EncryptedTextField(max_length=2000)
    urgency = models.CharField(max_length=8, choices=ContactRequestUrgency.choices)
    preferred_contact = models.CharField(max_length=16, choices=PreferredContact.choices)
    window_from = models.DateTimeField(help_text="The force would like contact from this time.")
    window_until = models.DateTimeField(help_text="The request expires at this time.")
    created_at = models.DateTimeField()
    respond_by = models.DateTimeField(
        help_text="Unanswered by then, the request goes to the charity's supervisors."
    )
    status = models.CharField(
        max_length=16, choices=ContactRequestStatus.choices, default=ContactRequestStatus.OPEN
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    route = models.CharField(max_length=24, choices=AgreedRoute.choices, blank=True)
    contact_method = models.ForeignKey(
        "clients.ContactMethod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The client's own route, when they chose one for police.",
    )
    consent_decision = models.ForeignKey(
        "sharing.ConsentDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The police_may_contact_directly decision the agreement recorded.",
    )
    client_reason = EncryptedTextField(
        max_length=2000,
        null=True,
        blank=True,
        help_text="What the client said, for the charity alone: never told to the force.",
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was withdrawn, expired or closed unanswered."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["shared_case", "-created_at"], name="contact_request_share"),
            models.Index(fields=["case", "-created_at"], name="contact_request_case"),
            models.Index(fields=["status", "window_until"], name="contact_request_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_until__gt=models.F("window_from")),
                name="contact_request_window_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(route="contact_method")
                | models.Q(contact_method__isnull=False),
                name="contact_request_route_names_method",
            ),
            models.CheckConstraint(
                condition=models.Q(status="agreed") | models.Q(route=""),
                name="contact_request_route_only_when_agreed",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact request {self.id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == ContactRequestStatus.OPEN
