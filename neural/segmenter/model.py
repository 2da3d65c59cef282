"""ClothingSegmenter: a small U-Net from a person crop (RGB + the detector's person mask) to a
label per pixel (``neural.photo.pixel_labels.LABELS``).

Input (B, 4, 256, 128): sRGB in [0, 1] and the mask probability, cropped round the person by
``neural.shape_net.features.person_box`` at ``CROP_SIZE``. Output (B, len(LABELS), 256, 128)
logits.
"""
from __future__ import annotations

import torch
from torch import nn

from neural.photo.pixel_labels import LABELS

CROP_SIZE = (128, 256)  # W, H in pixels
CHANNELS = (16, 32, 64, 96)


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
                         nn.Conv2d(c_out, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU())


class ClothingSegmenter(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.ModuleList()
        c_in = 4
        for c_out in CHANNELS:
            self.down.append(_block(c_in, c_out))
            c_in = c_out
        self.up = nn.ModuleList(_block(CHANNELS[i] + CHANNELS[i + 1], CHANNELS[i])
                                for i in range(len(CHANNELS) - 1))
        self.head = nn.Conv2d(CHANNELS[0], len(LABELS), 1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        skips = []
        x = image
        for index, block in enumerate(self.down):
            x = block(x if index == 0 else nn.functional.max_pool2d(x, 2))
            skips.append(x)
        for index in reversed(range(len(self.up))):
            x = nn.functional.interpolate(x, scale_factor=2, mode="bilinear",
                                          align_corners=False)
            x = self.up[index](torch.cat([skips[index], x], dim=1))
        return self.head(x)
