"""Alerts: rules decide what is due, the outbox stores and sends it, channels deliver it.

Public surface (import the submodules; this package imports nothing so that
``tracker.storage.alerts`` can use the rule types without a cycle):

- ``outbox.run(now=…, dry_run=…)`` one alert run; ``outbox.status()`` counts, open rows
  with their errors, last delivery attempts (for the dashboard and ``tracker alerts status``).
- ``subscriptions.subscribe/set_active/list_all`` manage who gets what.
- ``calendars.deadline_entries()`` + ``calendars.calendar_files(entries)`` the iCalendar
  files (name -> bytes) for downloads; ``calendars.write_calendars(dir)`` for ``tracker ics``.
- ``rules`` is pure: state in, alerts with deduplication keys out.
"""
