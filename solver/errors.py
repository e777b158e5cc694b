"""Exceptions that separate a user's mistake (exit code 2) from an internal failure (exit 1)."""

__all__ = ["UserError", "CaseError", "SolverError"]


class UserError(Exception):
    """A mistake in what the user asked for; the CLI prints the message and exits with 2."""


class CaseError(UserError):
    """A case file that cannot be used; the message names the file, the key and what was expected."""


class SolverError(RuntimeError):
    """A numerical failure (non-convergence, NaN, lost conservation); the CLI exits with 1."""
