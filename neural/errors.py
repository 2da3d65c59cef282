"""The exceptions that mean "the user gave us something we cannot use"."""


class InputError(Exception):
    """Bad input (missing file, no person, unknown size...): reported as one line, exit code 2."""


class DrapeFailed(InputError):
    """A garment that could not be draped on a body cleanly (its simulation gates failed even
    with gentler settings), or a drape like that asked to be shown."""
