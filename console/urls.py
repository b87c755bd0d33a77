"""Routes under /app/. Ids in paths are UUIDs: nothing in an address names a client."""

from django.urls import path, re_path

from .views import auth, caseload, cases, police, referrals, two_factor
from .views.fallback import unknown

app_name = "console"

urlpatterns = [
    path("", caseload.home, name="home"),
    path("sign-in/", auth.sign_in, name="sign-in"),
    path("sign-out/", auth.sign_out, name="sign-out"),
    path("two-factor/", two_factor.set_up, name="two-factor"),
    path("caseload/", caseload.caseload, name="caseload"),
    path("team/", caseload.team, name="team"),
    path("escalated/", caseload.escalated, name="escalated"),
    path("staff/", caseload.staff, name="staff"),
    path("reminders/<uuid:pk>/complete/", caseload.reminder_complete, name="reminder-complete"),
    path("reminders/<uuid:pk>/snooze/", caseload.reminder_snooze, name="reminder-snooze"),
    path("cases/<uuid:pk>/", cases.case_page, name="case"),
    path("cases/<uuid:pk>/identity/", cases.identity, name="identity"),
    path("cases/<uuid:pk>/contacts/new/", cases.log_contact, name="log-contact"),
    path("referrals/new/", referrals.referral_new, name="referral-new"),
    path("referrals/<uuid:pk>/", referrals.referral, name="referral"),
    path("shared/", police.shared_cases, name="shared-cases"),
    path("shared/<uuid:pk>/", police.shared_case, name="shared-case"),
    path("shared/<uuid:pk>/updates/", police.shared_update, name="shared-update"),
    # Anything else under /app/: the same answer as a page the caller may not open.
    re_path(r"^.*$", unknown, name="unknown"),
]
