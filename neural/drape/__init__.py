"""Draping: panels placed around the body, seams sewn and cloth settled with Newton Style3D."""
