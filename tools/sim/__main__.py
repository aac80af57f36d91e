"""`python -m tools.sim [OPTIONS]` is `warmlink simulate [OPTIONS]` (how `warmlink dev`
starts it in the background)."""

from __future__ import annotations

import sys

from tools.cli.main import app

app(["simulate", *sys.argv[1:]], prog_name="warmlink")
