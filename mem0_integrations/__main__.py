"""``python -m mem0_integrations`` runs the ``mem0i`` command line."""

import sys

from .cli import main

sys.exit(main())
