"""Run the command line with ``python -m tracksync``."""

import sys

from .cli import main

sys.exit(main())
