"""The storefront's catalog: garments (a built-in sewing pattern in a fabric) with the sizes of
their size charts, and the item features the recommender uses."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from neural.garments.garment_file import SIZE_CHARTS
from neural.garments.size_charts import load_chart, split_length

CATALOG = Path(__file__).parent / "data" / "catalog.yaml"
KINDS = tuple(SIZE_CHARTS)
CATEGORIES = ("top", "bottom", "outer", "full")
CATEGORY = {"tshirt": "top", "shirt": "top", "hoodie": "top", "jacket": "outer",  # of each kind
            "skirt": "bottom", "trousers": "bottom", "jeans": "bottom", "dress": "full"}
DRESSING_ORDER = {"bottom": 0, "full": 0, "top": 1, "outer": 2}  # worn first, innermost
FABRIC_NAMES = ("cotton", "jersey", "denim", "silk", "wool_suiting", "knit")


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    kind: str
    fabric: str
    color: tuple[float, float, float]
    price: float | None = None  # in ``currency``
    currency: str = "EUR"
    url: str | None = None  # its product page
    image: str | None = None  # a picture's address; None: the pattern sheet
    names: tuple[tuple[str, str], ...] = ()  # (language, name) in other languages

    @property
    def sizes(self) -> list[str]:
        """The sizes of its chart (lengths apart: trousers and jeans also come in L24..L34)."""
        chart = load_chart(SIZE_CHARTS[self.kind])
        return list(dict.fromkeys(split_length(size)[0] for size in chart))

    def to_json(self, lang: str = "en") -> dict:
        """The API's garment, named in ``lang`` where the catalog has that name."""
        pattern = f"/v1/garments/{self.id}/images/pattern.png"
        return {"id": self.id, "name": dict(self.names).get(lang, self.name),
                "pattern": self.kind, "category": CATEGORY[self.kind], "fabric": self.fabric,
                "color": list(self.color), "sizes": self.sizes, "url": self.url,
                "price": None if self.price is None else {"amount": self.price,
                                                          "currency": self.currency},
                "images": {"pattern": pattern, "picture": self.image or pattern}}


@lru_cache(maxsize=1)
def catalog() -> tuple[Item, ...]:
    """The items of ``data/catalog.yaml``, in its order."""
    return tuple(Item(row["id"], row["name"], row["kind"], row["fabric"], tuple(row["color"]),
                      row.get("price"), row.get("currency", "EUR"), row.get("url"),
                      row.get("image"), tuple(row.get("names", {}).items()))
                 for row in yaml.safe_load(CATALOG.read_text(encoding="utf-8")))


def dressing_order(items: list[Item]) -> list[Item]:
    """An outfit's items in dressing order (bottoms and dresses, then tops, then outerwear);
    ``ValueError`` when it is not one outfit: two of a category, or a dress with a top or a
    bottom."""
    categories = [CATEGORY[item.kind] for item in items]
    if len(set(categories)) < len(categories) or ("full" in categories and (
            "top" in categories or "bottom" in categories)):
        raise ValueError("an outfit has at most one bottom, one top and one outer garment "
                         "(a dress stands for a top and a bottom)")
    return sorted(items, key=lambda item: DRESSING_ORDER[CATEGORY[item.kind]])


def item_features(items: tuple[Item, ...]) -> np.ndarray:
    """One-hot garment kind and fabric per item: (n_items, kinds + fabrics)."""
    return np.array([[item.kind == kind for kind in KINDS] +
                     [item.fabric == fabric for fabric in FABRIC_NAMES] for item in items],
                    dtype=np.float64)
