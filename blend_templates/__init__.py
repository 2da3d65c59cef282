"""Studio scene templates defined in code; ``build.py`` writes them out as .blend files."""
