"""Alerts: rules decide what is due, the outbox stores and sends it, channels deliver it."""
