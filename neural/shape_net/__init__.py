"""A shape network: detector keypoints and person masks (front, optional side) + height ->
Anny shape parameters, used to start the optimisation fit close to the answer."""
