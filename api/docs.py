"""The schema and the interactive documentation, served from local files only."""

from csp.decorators import csp_update
from django.conf import settings
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication

from permissions.policies import Public, policy
from permissions.rules import second_factor_verified, superuser

# The same people as the admin, signed in the same way: a superuser's session verified by a
# second factor.
_verified_superuser = superuser & second_factor_verified
AdminsOnly = policy("DocsAdminsOnly", get=_verified_superuser, head=_verified_superuser)


def _docs_policy():
    return Public if settings.API_DOCS_PUBLIC else AdminsOnly


class SchemaView(SpectacularAPIView):
    authentication_classes = [SessionAuthentication]

    def get_permissions(self):
        return [_docs_policy()()]


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file of its own, so the strict content
    security policy (no inline script) holds on this page too. Swagger UI sets inline styles,
    which this page alone allows."""

    authentication_classes = [SessionAuthentication]

    def get_permissions(self):
        return [_docs_policy()()]
