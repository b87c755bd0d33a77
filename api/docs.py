"""The schema and the interactive documentation, served from local files only."""

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication

from permissions.policies import Public, policy
from permissions.rules import superuser

AdminsOnly = policy("DocsAdminsOnly", get=superuser, head=superuser)


def _docs_policy():
    return Public if settings.API_DOCS_PUBLIC else AdminsOnly


class SchemaView(SpectacularAPIView):
    authentication_classes = [SessionAuthentication]

    def get_permissions(self):
        return [_docs_policy()()]


class DocsView(SpectacularSwaggerView):
    authentication_classes = [SessionAuthentication]

    def get_permissions(self):
        return [_docs_policy()()]
