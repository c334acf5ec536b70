"""`python -m service.cli`: the `moderation` command (how `run` starts its children, and how tests start it)."""

import sys

from service.cli import main

sys.exit(main())
