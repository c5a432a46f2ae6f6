"""``python -m tracker.cli`` runs the command line like the installed ``tracker`` script."""

import sys

from tracker.cli.app import main

sys.exit(main())
