"""The compute engine of the fitting room, free of bpy.

Sub-packages: ``body`` (Anny model and measurements), ``photo`` (person keypoints and mask),
``fitting`` (photo -> avatar), ``garments`` (sewing patterns, grading), ``drape`` (Newton cloth).
Frames: bodies are Z-up, metres, facing -Y, the wearer's left towards +X.
"""
