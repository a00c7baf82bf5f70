"""credsim: simulation and policy analysis for prepaid Communications Credits."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("credsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
