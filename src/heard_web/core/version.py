"""The installed version of heard (read from the package metadata, not the library)."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("heard")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "unknown"
