"""hotspots: where county-lines harm concentrates while enforcement coverage is thin."""

__version__ = "0.1.0"
