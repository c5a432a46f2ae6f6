"""Errors that carry a message meant for the user, not a traceback."""


class UserError(Exception):
    """Something the user can fix: a bad file, a bad argument, an unreachable source.

    The CLI prints ``str(error)`` as one line and exits non-zero; the dashboard shows it.
    """


class ConfigError(UserError):
    """A configuration file is wrong; the message names the file, the line and the field."""
