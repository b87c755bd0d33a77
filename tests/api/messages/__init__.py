"""Messages to clients: planned through the API with what to say and when, addressed only when
they are sent, from the routes that are current and safe at that moment.

Sending is domain logic here, driven through the ``send_message`` task body (run in this process)
or ``message_claim`` / ``message_deliver``; what a real worker adds is in
tests/tasks/test_reminder_worker.py. The provider is a test gateway that accepts everything
(tests/support/gateways.py), so that what is proved about routes does not hang on the default
gateway, which has tests of its own (test_gateways.py). The clock starts on Monday 2 March 2026 at
10:00 GMT."""
