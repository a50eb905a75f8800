"""Exception classes: one base, subclasses that also inherit the builtin that fits.

Library code raises these; only the CLI turns them into messages and exit codes.
"""

from __future__ import annotations


class HotspotsError(Exception):
    """Base class of every error hotspots raises on purpose."""

    exit_code = 1


class InputError(HotspotsError, ValueError):
    """An input file or value is not what the tool needs (exit code 2)."""

    exit_code = 2


class ConfigError(HotspotsError, ValueError):
    """A parameter, option or config file is invalid (exit code 2)."""

    exit_code = 2


class NoDataError(HotspotsError):
    """The input holds no rows to analyse (exit code 3)."""

    exit_code = 3


class OutputError(HotspotsError, OSError):
    """Outputs could not be written (exit code 4)."""

    exit_code = 4
