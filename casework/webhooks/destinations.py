"""Where a delivery may go. Every address a destination resolves to is checked, when the
subscription is saved and again on every delivery (a name can be pointed somewhere else at any
time), and the delivery goes to the address that was checked, never to a second look-up.

Refused: private, loopback, link-local (cloud metadata services live there), multicast, reserved
and unspecified addresses, and IPv6 forms of any of them. ``WEBHOOKS_ALLOW_LOOPBACK`` lets
loopback through for development and tests; ``WEBHOOKS_REQUIRE_HTTPS`` refuses plain HTTP."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(Exception):
    """The destination is not one a delivery may go to; ``code`` says why, for the log."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    address: IPAddress


def _allowed(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return bool(settings.WEBHOOKS_ALLOW_LOOPBACK)
    return not (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_url(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of a destination a delivery may be sent to, or a refusal."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise DestinationRefused("The destination must be an http(s) URL.", "scheme")
    if scheme == "http" and settings.WEBHOOKS_REQUIRE_HTTPS:
        raise DestinationRefused("The destination must use HTTPS.", "https_required")
    if parts.username or parts.password:
        raise DestinationRefused("The destination must not carry credentials.", "credentials")
    host = parts.hostname
    if not host:
        raise DestinationRefused("The destination has no host.", "host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise DestinationRefused("The destination's port is not valid.", "port") from None
    return scheme, host, port


def resolve(url: str) -> Destination:
    """The address to send to: the first the host resolves to, once every one of them has been
    checked (a name with one private address among public ones is refused as a whole)."""
    scheme, host, port = check_url(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise DestinationRefused("The destination's host does not resolve.", "dns") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses:
        raise DestinationRefused("The destination's host does not resolve.", "dns")
    for address in addresses:
        if not _allowed(address):
            raise DestinationRefused(
                "The destination resolves to a private, loopback or reserved address.",
                "address_refused",
            )
    return Destination(scheme, host, port, addresses[0])
