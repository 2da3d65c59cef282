"""ShapeNet: two view encoders (crop CNN + keypoint MLP), fused with the height.

A view's crop is the person mask and its pixel-label channels (``features.VIEW_CHANNELS``): where
labels say garment, the network learns how far the body lies inside the outline.

Outputs Anny phenotypes in [0, 1], local changes in [-1, 1] (the order of
``neural.body.anny_body.PHENOTYPES`` / ``LOCAL_CHANGES``) and, as an auxiliary head,
measurements as fractions of stature (order of ``neural.body.measurements.ORDER``).
"""
from __future__ import annotations

import torch
from torch import nn

from neural.body.anny_body import LOCAL_CHANGES, PHENOTYPES
from neural.body.measurements import ORDER
from neural.shape_net.features import CROP_SIZE, KEYPOINT_FEATURES, VIEW_CHANNELS

REFERENCE_HEIGHT_CM = 170.0


class ViewEncoder(nn.Module):
    """Crop (B, VIEW_CHANNELS, H, W) + keypoints (B, 99) -> (B, width) features."""

    def __init__(self, width: int = 256):
        super().__init__()
        channels = (VIEW_CHANNELS, 16, 32, 64, 64)
        layers = []
        for c_in, c_out in zip(channels, channels[1:]):
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.BatchNorm2d(c_out),
                       nn.ReLU()]
        self.cnn = nn.Sequential(*layers, nn.Flatten())
        cnn_out = channels[-1] * (CROP_SIZE[1] // 16) * (CROP_SIZE[0] // 16)
        self.keypoints = nn.Sequential(nn.Linear(KEYPOINT_FEATURES, 128), nn.ReLU())
        self.fuse = nn.Sequential(nn.Linear(cnn_out + 128, width), nn.ReLU())

    def forward(self, crop: torch.Tensor, keypoints: torch.Tensor) -> torch.Tensor:
        return self.fuse(torch.cat([self.cnn(crop), self.keypoints(keypoints)], dim=1))


class ShapeNet(nn.Module):
    """Front (required) and side (optional, ``side_present`` 0/1) views + height -> shape."""

    def __init__(self, width: int = 256):
        super().__init__()
        self.front = ViewEncoder(width)
        self.side = ViewEncoder(width)
        self.trunk = nn.Sequential(nn.Linear(2 * width + 2, 512), nn.ReLU(), nn.Dropout(0.1),
                                   nn.Linear(512, 256), nn.ReLU())
        self.phenotypes = nn.Linear(256, len(PHENOTYPES))
        self.local_changes = nn.Linear(256, len(LOCAL_CHANGES))
        self.measurements = nn.Linear(256, len(ORDER))

    def forward(self, front_crop, front_keypoints, side_crop, side_keypoints, side_present,
                height_cm) -> dict[str, torch.Tensor]:
        present = side_present[:, None]
        features = torch.cat([
            self.front(front_crop, front_keypoints),
            self.side(side_crop, side_keypoints) * present,
            present, height_cm[:, None] / REFERENCE_HEIGHT_CM - 1.0,
        ], dim=1)
        hidden = self.trunk(features)
        return {
            "phenotypes": torch.sigmoid(self.phenotypes(hidden)),
            "local_changes": torch.tanh(self.local_changes(hidden)),
            "measurements": self.measurements(hidden),
        }
