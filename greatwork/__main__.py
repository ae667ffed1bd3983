"""Run the command line: ``python -m greatwork``."""

import sys

from greatwork.cli import main

sys.exit(main())
