"""`python -m proxy` runs the responde CLI."""

import sys

from proxy.cli import main

sys.exit(main())
