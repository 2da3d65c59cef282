"""The extension's panels."""
