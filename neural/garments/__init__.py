"""Sewing patterns (2D panels and seams, in cm), grading from size charts, and meshing."""
