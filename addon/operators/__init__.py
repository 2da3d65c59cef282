"""The extension's operators, one per module."""
