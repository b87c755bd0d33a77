"""Every reminder rule, through the scan, with the clock frozen and moved by hand.

Each rule is driven through ``run_scan(now=...)`` exactly as the periodic task drives it; every
due moment below is worked out by hand from the calendar and the UK clock changes (British Summer
Time began on Sunday 29 March 2026 and ends on Sunday 25 October 2026), never by the code under
test. The clock starts on Monday 2 March 2026 at 10:00 GMT."""
