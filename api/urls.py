"""Routes under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import schema  # noqa: F401  (registers the authentication schemes)
from .accounts import security
from .accounts import views as accounts
from .alerts import views as alerts
from .approvals import views as approvals
from .attachments import views as attachments
from .audit import views as audit
from .cases import views as cases
from .clients import views as clients
from .contact_requests import views as contact_requests
from .court import views as court
from .disclosures import views as disclosures
from .reminders import views as reminders
from .sharing import views as sharing
from .stats import views as stats
from .support import views as support
from .webhooks import views as webhooks

router = SimpleRouter()
router.register("organisations", accounts.OrganisationViewSet, basename="organisation")
router.register("staff", accounts.StaffViewSet, basename="staff")
router.register("api-keys", accounts.ApiKeyViewSet, basename="api-key")
router.register("referrals", cases.ReferralViewSet, basename="referral")
router.register("clients", clients.ClientViewSet, basename="client")
router.register(
    r"clients/(?P<client_id>[^/.]+)/contact-methods",
    clients.ContactMethodViewSet,
    basename="client-contact-method",
)
router.register("cases", cases.CaseViewSet, basename="case")
router.register(
    r"cases/(?P<case_id>[^/.]+)/contacts", cases.ContactViewSet, basename="case-contact"
)
router.register(r"cases/(?P<case_id>[^/.]+)/notes", cases.NoteViewSet, basename="case-note")
router.register(
    r"cases/(?P<case_id>[^/.]+)/court-events", court.CourtEventViewSet, basename="case-court-event"
)
router.register(
    r"cases/(?P<case_id>[^/.]+)/decisions", court.DecisionViewSet, basename="case-decision"
)
router.register(
    r"cases/(?P<case_id>[^/.]+)/disclosures",
    disclosures.DisclosureViewSet,
    basename="case-disclosure",
)
router.register(
    r"cases/(?P<case_id>[^/.]+)/records-requests",
    disclosures.RecordsRequestViewSet,
    basename="case-records-request",
)
router.register("entitlements", court.EntitlementViewSet, basename="entitlement")
router.register("audit-events", audit.AuditEventViewSet, basename="audit-event")
router.register("approvals", approvals.ApprovalViewSet, basename="approval")
router.register("reminders", reminders.ReminderViewSet, basename="reminder")
router.register(
    r"cases/(?P<case_id>[^/.]+)/messages", reminders.MessageViewSet, basename="case-message"
)
router.register("shared-cases", sharing.SharedCaseViewSet, basename="shared-case")
router.register(
    r"shared-cases/(?P<shared_case_id>[^/.]+)/updates",
    sharing.SharedUpdateViewSet,
    basename="shared-case-update",
)
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")
router.register(
    r"webhooks/(?P<webhook_id>[^/.]+)/deliveries",
    webhooks.WebhookDeliveryViewSet,
    basename="webhook-delivery",
)
router.register(
    r"shared-cases/(?P<shared_case_id>[^/.]+)/contact-requests",
    contact_requests.SharedContactRequestViewSet,
    basename="shared-case-contact-request",
)
router.register(
    r"cases/(?P<case_id>[^/.]+)/contact-requests",
    contact_requests.CaseContactRequestViewSet,
    basename="case-contact-request",
)
router.register(
    r"cases/(?P<case_id>[^/.]+)/attachments",
    attachments.AttachmentViewSet,
    basename="case-attachment",
)
router.register(
    r"shared-cases/(?P<shared_case_id>[^/.]+)/attachments",
    attachments.SharedAttachmentViewSet,
    basename="shared-case-attachment",
)
router.register(
    r"shared-cases/(?P<shared_case_id>[^/.]+)/records-requests",
    disclosures.SharedRecordsRequestViewSet,
    basename="shared-case-records-request",
)
router.register(r"cases/(?P<case_id>[^/.]+)/alerts", alerts.CaseAlertViewSet, basename="case-alert")
router.register("alerts", alerts.AlertFeedViewSet, basename="alert")

_plan = "cases/<str:case_id>/support-plan/"

urlpatterns = [
    path(_plan, support.SupportPlanView.as_view(), name="support-plan"),
    path(f"{_plan}history/", support.SupportPlanHistoryView.as_view(), name="support-plan-history"),
    path(f"{_plan}needs/", support.NeedsView.as_view(), name="support-plan-needs"),
    path(f"{_plan}safety-plan/", support.SafetyPlanView.as_view(), name="support-plan-safety"),
    path(
        f"{_plan}safety-plan/<str:item_id>/",
        support.SafetyPlanItemView.as_view(),
        name="support-plan-safety-item",
    ),
    path(
        f"{_plan}risk-assessments/",
        support.RiskAssessmentsView.as_view(),
        name="support-plan-risk",
    ),
    path("cases/<str:case_id>/rights/", court.CaseRightsView.as_view(), name="case-rights"),
    path("caseload/", court.CaseloadView.as_view(), name="caseload"),
    path("stats/", stats.StatsView.as_view(), name="stats"),
    path("checker/", alerts.CheckerView.as_view(), name="checker"),
    path("reminder-policy/", reminders.ReminderPolicyView.as_view(), name="reminder-policy"),
    path(
        "me/reminder-preferences/",
        reminders.ReminderPreferencesView.as_view(),
        name="reminder-preferences",
    ),
    path("me/calendar-feed/", court.CalendarFeedView.as_view(), name="calendar-feed"),
    path(
        "shared-cases/<str:shared_case_id>/court-events/",
        court.SharedCourtEventView.as_view(),
        name="shared-case-court-events",
    ),
    path("auth/login/", accounts.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", accounts.LogoutView.as_view(), name="auth-logout"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("auth/password/", security.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/set-password/", security.PasswordSetView.as_view(), name="auth-set-password"),
    path("auth/two-factor/", security.TwoFactorView.as_view(), name="auth-two-factor"),
    path(
        "auth/two-factor/confirm/",
        security.TwoFactorConfirmView.as_view(),
        name="auth-two-factor-confirm",
    ),
    path(
        "auth/two-factor/disable/",
        security.TwoFactorDisableView.as_view(),
        name="auth-two-factor-disable",
    ),
    path(
        "organisation-settings/",
        security.OrganisationSettingsView.as_view(),
        name="organisation-settings",
    ),
    path(
        "organisation-settings/retention-proposals/",
        security.RetentionProposalView.as_view(),
        name="organisation-retention-proposals",
    ),
    path("cases/<str:case_id>/consents/", sharing.ConsentView.as_view(), name="case-consents"),
    path(
        "cases/<str:case_id>/consent-overrides/",
        sharing.ConsentOverrideView.as_view(),
        name="case-consent-overrides",
    ),
    path(
        "cases/<str:case_id>/consent-overrides/end/",
        sharing.ConsentOverrideEndView.as_view(),
        name="case-consent-override-end",
    ),
    path(
        "cases/<str:case_id>/police-involvement/",
        sharing.PoliceInvolvementView.as_view(),
        name="case-police-involvement",
    ),
    *router.urls,
]
