"""`python -m orchestration.cli`: the `ror` command."""

import sys

from orchestration.cli import main

sys.exit(main())
