"""``python -m typeflow.cli``: the ``typeflow`` command."""

import sys

from typeflow.cli import main

sys.exit(main())
