"""Konsultationsradar: notice, judge and answer policy consultations."""

__version__ = "0.1.0"
