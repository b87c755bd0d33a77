"""An access logger that cannot write what the format does not ask for, and masks what a path
itself keeps secret."""

import re

from gunicorn.glogging import Logger

# Paths whose last part is a credential: the calendar feed link is the feed's only secret.
SECRET_PATHS = [(re.compile(r"^/calendar/[^/]+\.ics$"), "/calendar/[redacted].ics")]
# Request headers that are credentials or can carry personal data, whatever a format asks for.
WITHHELD_HEADERS = ("authorization", "cookie", "referer", "x-forwarded-for", "idempotency-key")


# Anything that is not a printable character outside the quote: a path is logged decoded, so
# "%0d%0a" would otherwise start a forged line, and "%22" close the quoted request.
UNPRINTABLE = re.compile(r'[\x00-\x1f\x7f"\\]')


def discreet_path(path: str) -> str:
    for pattern, replacement in SECRET_PATHS:
        if pattern.match(path):
            return replacement
    return UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}", path)


class DiscreetLogger(Logger):
    """No query string, no referrer, no credential header, and secret paths masked, in every
    atom a format could name (``%(r)s`` and ``%(q)s`` included)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = discreet_path(environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["q"] = ""
        atoms["f"] = "-"
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL')}"
        for header in WITHHELD_HEADERS:
            if f"{{{header}}}i" in atoms:
                atoms[f"{{{header}}}i"] = "-"
        return atoms
