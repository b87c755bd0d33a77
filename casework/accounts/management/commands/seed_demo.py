import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.demo.seed import seed

DEFAULT_DEMO_PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (demo only, documented)


class Command(BaseCommand):
    help = (
        "Build the demo charities, police forces and staff for every role; safe to run again. "
        "The password for every demo login comes from DEMO_PASSWORD."
    )

    def handle(self, *args, **options):
        if not settings.CASEWORK_DEMO_ALLOWED:
            raise CommandError(
                "Demo data is not allowed in this environment (CASEWORK_DEMO_ALLOWED is off)."
            )
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        logins = seed(password=password)
        self.stdout.write(f"Demo logins (password: {password}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<20} {login.role:<16} {login.organisation}")
