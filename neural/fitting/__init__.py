"""Fitting an Anny body to a photo: keypoints, silhouette, height, priors."""
