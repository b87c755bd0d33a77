"""Test infrastructure that worker processes import: gateways, settings and a mail server."""
