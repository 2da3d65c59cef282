"""The Anny body model (Z-up, metres, facing -Y) and measurements taken on it."""
