"""The ``tracker`` command line: ``app`` is the table of contents, one module of commands
per concern (``collect``, ``judge``, ``users``, ``export``, ``alerts``)."""
