"""Choosing the compute device for torch and Warp from a user's ``auto|cpu|cuda``."""
from __future__ import annotations

from neural.errors import InputError

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(name: str = "auto") -> str:
    """Return ``"cuda"`` or ``"cpu"``; ``auto`` picks CUDA when torch sees a GPU."""
    import torch

    if name not in DEVICE_CHOICES:
        raise InputError(f"unknown device {name!r}: choose one of {', '.join(DEVICE_CHOICES)}")
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda was asked for but no CUDA GPU is available")
    return name


def warp_device(device: str) -> str:
    """Warp's name for a torch device string (``cuda`` -> ``cuda:0``)."""
    return "cuda:0" if device.startswith("cuda") else "cpu"
