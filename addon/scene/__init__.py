"""bpy scene code shared by the add-on and the farm's render tasks (Blender frame: Z-up, metres)."""
