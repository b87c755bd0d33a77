import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.accounts.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from casework.loadtest.soak import Refused, check_target, render, run


class Command(BaseCommand):
    help = (
        "Drive a running Casework on loopback with every role's work for --minutes at "
        "--concurrency clients, inject faults halfway (a private cache stopped and started, a "
        "worker killed, a storm of database connections), then check that every acknowledged "
        "write is stored once, the audit chains verify, nothing was reminded or sent twice and "
        "no 5xx came outside the faults. Signs in as the demo people (seed_demo, DEMO_PASSWORD). "
        "See docs/reliability.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=float, default=10.0)
        parser.add_argument("--concurrency", type=int, default=16)
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--private-cache-port",
            type=int,
            help="the port of a redis-server of the instance's cache alone, which the soak may "
            "stop and start again (never the broker's)",
        )
        parser.add_argument("--no-faults", action="store_true", help="load only")
        parser.add_argument(
            "--storm",
            type=int,
            default=60,
            help="database connections opened at once in the storm (ten of the server's limit "
            "are always left free)",
        )
        parser.add_argument(
            "--one-organisation",
            action="store_true",
            help="only the people of one charity (the demo's), whose writes share one audit chain",
        )
        parser.add_argument(
            "--writes-only",
            action="store_true",
            help="only audited writes (notes, contacts, consents, police updates)",
        )

    def handle(
        self,
        *args,
        minutes,
        concurrency,
        base_url,
        private_cache_port,
        no_faults,
        writes_only,
        storm,
        one_organisation,
        **options,
    ):
        if minutes <= 0 or concurrency < 1:
            raise CommandError("--minutes must be above 0 and --concurrency at least 1.")
        try:
            base = check_target(base_url)
            if private_cache_port is not None and _is_broker(private_cache_port):
                raise Refused(
                    f"Port {private_cache_port} is the broker's: the soak stops only a cache of "
                    "the instance's own."
                )
            report = run(
                base=base,
                minutes=minutes,
                concurrency=concurrency,
                password=os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD),
                cache_port=private_cache_port,
                faults=not no_faults,
                writes_only=writes_only,
                storm=storm,
                one_organisation=one_organisation,
                log_dir=Path(settings.BASE_DIR) / "var",
                say=self.stdout.write,
            )
        except Refused as refusal:
            raise CommandError(str(refusal)) from None
        for line in render(report):
            self.stdout.write(line)
        if not report.passed:
            raise CommandError("The soak found a failure (above).")


def _is_broker(port: int) -> bool:
    from urllib.parse import urlparse

    broker = urlparse(settings.CELERY_BROKER_URL)
    return (broker.port or 6379) == port
