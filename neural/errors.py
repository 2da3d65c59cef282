"""The one exception type that means "the user gave us something we cannot use"."""


class InputError(Exception):
    """Bad input (missing file, no person, unknown size...): reported as one line, exit code 2."""
