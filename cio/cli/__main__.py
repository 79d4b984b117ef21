"""``python -m cio.cli``."""

import sys

from cio.cli import main

sys.exit(main())
