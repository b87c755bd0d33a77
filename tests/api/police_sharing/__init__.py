"""Police sharing: a force sees a case only while the client's consent lasts, only its own share,
and only what the consent level allows. Withdrawal bites on the very next request."""
