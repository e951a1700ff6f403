"""Adapters over the third-party engines zhclean wraps: OpenCC (two packages) and jieba/rjieba.

Each adapter gives one small interface whatever package is installed, imports that package only
when first used, and builds its heavy objects (converters, dictionaries) once per process.
Naming the installed engines (``zhclean --version``) reads package metadata and imports nothing.
"""
