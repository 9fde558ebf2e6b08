"""Run the command line with ``python -m ofsted_tracker``."""

from ofsted_tracker.cli import main

main()
