"""The shipped demo data set: items, member organisations and a workspace, with every
date shifted to end near today (``loader``, ``dates``, ``members``)."""
