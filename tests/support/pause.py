"""Holds a process still at a known point, so a test can signal or kill it exactly there.

A process started with ``PAUSE_AT=module:attribute`` (a dotted attribute is looked up on the
module: ``casework.reminders.tasks:send_message.delay``) has that callable wrapped: the call
after the first ``PAUSE_AFTER_CALLS`` (0 unless given) writes the process id to the file named
by ``PAUSE_MARKER`` and waits until the file ``PAUSE_MARKER.release`` exists (at most
``PAUSE_SECONDS``, 120 unless given) before it goes on. Every other call goes straight through.
The callable must be looked up through its module where it is called, as every task and view
of the service does with the services it uses.

A Celery worker loads this module with ``--include tests.support.pause`` and wraps in each pool
process; gunicorn serves ``tests.support.paused_wsgi``; a management command runs as
``python -m tests.support.pause COMMAND ARGS...``. Nothing of this is in the service."""

import importlib
import os
import sys
import time
from pathlib import Path


def release_path(marker: Path) -> Path:
    return marker.with_name(marker.name + ".release")


def install() -> None:
    target = os.environ.get("PAUSE_AT")
    if not target:
        return
    module_name, _, dotted = target.partition(":")
    after = int(os.environ.get("PAUSE_AFTER_CALLS", "0"))
    longest = float(os.environ.get("PAUSE_SECONDS", "120"))
    marker = Path(os.environ["PAUSE_MARKER"])
    release = release_path(marker)
    owner = importlib.import_module(module_name)
    *parents, name = dotted.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original = getattr(owner, name)
    calls = 0

    def paused(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == after + 1:
            marker.write_text(str(os.getpid()))
            deadline = time.monotonic() + longest
            while not release.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return original(*args, **kwargs)

    setattr(owner, name, paused)


try:
    from celery.signals import worker_process_init
except ImportError:  # pragma: no cover - Celery is always installed here
    pass
else:

    @worker_process_init.connect(weak=False)
    def _in_each_pool_process(**_kwargs) -> None:
        install()


def main(argv: list[str]) -> None:
    """``python -m tests.support.pause COMMAND ARGS...``: a management command, paused."""
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    install()
    execute_from_command_line(["manage.py", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
