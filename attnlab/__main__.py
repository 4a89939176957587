"""`python -m attnlab`: the same as the `attnlab` command."""

import sys

from attnlab.app.cli import main

sys.exit(main())
