"""Photo front-end: load a photo safely and detect the person (keypoints + mask) with mediapipe."""
