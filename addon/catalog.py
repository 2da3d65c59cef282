"""What the engine offers, as the add-on's menus list it (the engine's own lists are in
``neural.garments``; a test keeps the two the same, so the add-on needs no engine to draw)."""
GARMENTS = ("tshirt", "shirt", "jacket", "hoodie", "skirt", "trousers", "jeans", "dress")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
FABRICS = ("cotton", "jersey", "denim", "silk", "wool_suiting", "knit")
