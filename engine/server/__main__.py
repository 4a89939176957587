"""`python -m attnlab.engine.server ...`: what the window spawns (the same as `attnlab engine ...`)."""

import sys

from attnlab.engine.server.command import main

sys.exit(main())
