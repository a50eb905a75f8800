"""Rendering: folium maps and HTML briefings as self-contained, deterministic strings (no I/O)."""
