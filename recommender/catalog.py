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
FABRIC_NAMES = ("cotton", "jersey", "denim", "silk", "wool_suiting", "knit")


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    kind: str
    fabric: str
    color: tuple[float, float, float]

    @property
    def sizes(self) -> list[str]:
        """The sizes of its chart (lengths apart: trousers and jeans also come in L24..L34)."""
        chart = load_chart(SIZE_CHARTS[self.kind])
        return list(dict.fromkeys(split_length(size)[0] for size in chart))

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "pattern": self.kind, "fabric": self.fabric,
                "color": list(self.color), "sizes": self.sizes,
                "images": {"pattern": f"/v1/garments/{self.id}/images/pattern.png"}}


@lru_cache(maxsize=1)
def catalog() -> tuple[Item, ...]:
    """The items of ``data/catalog.yaml``, in its order."""
    return tuple(Item(row["id"], row["name"], row["kind"], row["fabric"], tuple(row["color"]))
                 for row in yaml.safe_load(CATALOG.read_text()))


def item_features(items: tuple[Item, ...]) -> np.ndarray:
    """One-hot garment kind and fabric per item: (n_items, kinds + fabrics)."""
    return np.array([[item.kind == kind for kind in KINDS] +
                     [item.fabric == fabric for fabric in FABRIC_NAMES] for item in items],
                    dtype=np.float64)
