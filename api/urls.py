"""Routes under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import schema  # noqa: F401  (registers the authentication schemes)
from .accounts import views as accounts

router = SimpleRouter()
router.register("organisations", accounts.OrganisationViewSet, basename="organisation")
router.register("staff", accounts.StaffViewSet, basename="staff")
router.register("api-keys", accounts.ApiKeyViewSet, basename="api-key")

urlpatterns = [
    path("auth/login/", accounts.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", accounts.LogoutView.as_view(), name="auth-logout"),
    path("me/", accounts.MeView.as_view(), name="me"),
    *router.urls,
]
