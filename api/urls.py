"""Routes under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import schema  # noqa: F401  (registers the authentication schemes)
from .accounts import views as accounts
from .cases import views as cases
from .clients import views as clients

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

urlpatterns = [
    path("auth/login/", accounts.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", accounts.LogoutView.as_view(), name="auth-logout"),
    path("me/", accounts.MeView.as_view(), name="me"),
    *router.urls,
]
