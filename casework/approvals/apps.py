from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "casework.approvals"
    label = "approvals"
    verbose_name = "Two-person approvals"
