"""attnlab: a desktop playground for looking inside transformer language models.

One installed package. Its parts live in the repository's top-level folders and are mapped here
(pyproject.toml's package-dir; symlinks in a checkout): `attnlab.app` (the PySide6 window, never
torch), `attnlab.engine` (torch + transformers, never Qt) and `attnlab.resources` (bundled models,
lessons, translations).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("attnlab")
except PackageNotFoundError:  # a checkout that was never installed
    __version__ = "0.0.0+unknown"
