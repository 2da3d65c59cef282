"""Jobs: job files, planning into fit -> garment -> drape -> render tasks, and runners."""
