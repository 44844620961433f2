"""``python -m typeflow``: the ``typeflow`` command, for when the console script is not on PATH."""

import sys

from typeflow.cli import main

sys.exit(main())
