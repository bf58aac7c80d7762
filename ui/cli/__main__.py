"""`python -m ui.cli …` runs the `zwqa` command."""
import sys

from ui.cli import main

sys.exit(main())
