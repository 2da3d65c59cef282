"""What the engine offers, as the add-on's menus list it. Made by build.py from the engine's
data (python build.py --catalog); do not edit."""
GARMENTS = ('tshirt', 'shirt', 'jacket', 'hoodie', 'skirt', 'trousers', 'jeans', 'dress')
SIZES = ('XS', 'S', 'M', 'L', 'XL', 'XXL')
FABRICS = ('cotton', 'jersey', 'denim', 'silk', 'wool_suiting', 'knit')
FABRIC_COLORS = {  # linear RGB, each fabric's colour in renders
    'cotton': (0.85, 0.25, 0.2),
    'jersey': (0.2, 0.35, 0.75),
    'denim': (0.18, 0.28, 0.5),
    'silk': (0.9, 0.85, 0.7),
    'wool_suiting': (0.25, 0.25, 0.28),
    'knit': (0.55, 0.45, 0.35),
}
FABRIC_SURFACES = {  # roughness, sheen, sheen_roughness
    'cotton': (0.85, 0.25, 0.5),
    'jersey': (0.9, 0.4, 0.4),
    'denim': (0.8, 0.2, 0.6),
    'silk': (0.3, 0.5, 0.2),
    'wool_suiting': (0.9, 0.6, 0.6),
    'knit': (0.95, 0.5, 0.5),
}
SKIN = ((0.8, 0.6, 0.5), 0.5)  # linear RGB, roughness
TEMPLATES = ('studio', 'packshot', 'outdoor', 'neutral')
VIEWS = ('front', 'back', 'left', 'right')
