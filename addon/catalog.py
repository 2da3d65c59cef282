"""What the engine offers, as the add-on's menus list it (the engine's own lists are in
``neural.garments`` and ``blend_templates``; a test keeps the two the same, so the add-on needs
no engine to draw)."""
GARMENTS = ("tshirt", "shirt", "jacket", "hoodie", "skirt", "trousers", "jeans", "dress")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
FABRICS = ("cotton", "jersey", "denim", "silk", "wool_suiting", "knit")
FABRIC_COLORS = {  # linear RGB, each fabric's colour in renders (neural's fabrics.yaml)
    "cotton": (0.85, 0.25, 0.20), "jersey": (0.20, 0.35, 0.75), "denim": (0.18, 0.28, 0.50),
    "silk": (0.90, 0.85, 0.70), "wool_suiting": (0.25, 0.25, 0.28), "knit": (0.55, 0.45, 0.35)}
TEMPLATES = ("studio", "packshot", "outdoor")
VIEWS = ("front", "back", "left", "right")
