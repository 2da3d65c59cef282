"""Clothing segmentation: which pixels of a person are skin, garment, hair or an accessory."""
