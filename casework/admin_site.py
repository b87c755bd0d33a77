"""The Django admin, open to platform superusers only.

Staff with ``is_staff`` but not ``is_superuser`` cannot use it: supervisors manage their
organisation through the API, where the permission rules apply."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Casework administration"
    site_title = "Casework"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class CaseworkAdminConfig(AdminConfig):
    default_site = "casework.admin_site.SuperuserAdminSite"
