"""The team's work on an item: inbox, triage, working days, the consultation workspace,
member positions and the joint statement. Every function that acts for a user checks
``tracker.access.permissions`` before it reads or writes.
"""
