"""``python -m hotspots`` runs the command line."""

from hotspots.cli import run

run()
