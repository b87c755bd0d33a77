"""The admin application, pointed at Casework's own site (``casework/admin_site.py``). Kept apart
from the site, which imports forms and models that only exist once the applications are
loaded."""

from django.contrib.admin.apps import AdminConfig


class CaseworkAdminConfig(AdminConfig):
    default_site = "casework.admin_site.SuperuserAdminSite"
