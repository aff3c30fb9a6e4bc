"""`python -m bot.ops.cli …`: how the launcher starts its child processes."""
import sys

from bot.ops.cli import main

sys.exit(main())
