"""Katalog UMKM: a static site generator for a region's catalog of small businesses."""

__version__ = "0.1.0"
