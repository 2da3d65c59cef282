"""The storefront API's configuration, from the environment:

    TRYON_DATA          folder for the API's data (default ./storefront_data)
    TRYON_DATABASE_URL  SQL URL (default sqlite:///$TRYON_DATA/storefront.db)
    TRYON_SECRET        hex key for hashing API keys and shopper ids (default: made once and
                        kept in $TRYON_DATA/secret.key, readable by its owner only)
    TRYON_RATE_LIMIT    requests per minute per API key (default 1200), counted across the
                        server's processes and machines in TRYON_BROKER's Redis when it is
                        set, else per process
    TRYON_DEVICE        device for fitting avatars: auto, cpu or cuda (default auto)
    TRYON_BROKER        the render farm's broker: try-ons go to its workers (default: none, a
                        runner thread in the server process renders them)
    TRYON_STORE         the render farm's job store URL (with TRYON_BROKER)
    TRYON_RENDER        try-on renders: SAMPLES,WIDTHxHEIGHT (default 16,384x576)
    TRYON_WARM_ENGINE   1: start the server's engines (the fit engine and, without a broker, the
                        try-on engine; libraries and models loaded) with it, not on first use
    TRYON_ENGINE_THREADS CPU threads of each engine (default: half the cores, at least 1: two
                        server processes, as in the production command, share the cores)
    TRYON_POLICY        who recommends: bandit (linear Thompson sampling), sessions (Q-learning
                        over sessions), gradient (policy gradient over sessions) or split
                        (default: a third of the shoppers each, by pseudonym)
    TRYON_SESSION_GAP_S seconds without an event that end a shopper's session (default 1800)
    TRYON_PRIVACY_BUDGET the epsilon each storefront's size insights may spend in all (default
                        10; ``recommender.insights``)
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

MAX_UPLOAD_BYTES = 16 * 1024 * 1024  # a request's body, photos included
ENGINE_NICE = 10  # the server's engines (fits, try-ons) yield the CPU to its web requests
POLICY_MODES = ("bandit", "sessions", "gradient", "split")
SPLIT = ("bandit", "sessions", "gradient")  # the split's arms, a third of the shoppers each


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret: bytes
    rate_limit_per_minute: int = 1200
    device: str = "auto"
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    broker: str | None = None
    farm_store: str | None = None
    render_samples: int = 16
    render_resolution: tuple[int, int] = (384, 576)
    policy: str = "split"
    session_gap_s: float = 1800.0
    privacy_budget: float = 10.0
    messages_dir: Path | None = None  # the shop's own message catalogs (messages/<lang>.yaml)
    warm_engine: bool = False  # start the engines with the server
    engine_threads: int = max(1, (os.cpu_count() or 2) // 2)

    def engine_args(self) -> tuple[list[str], dict[str, str]]:
        """The ``tryon`` arguments and environment of this server's engines (``tryon task
        --serve``, at a lower CPU priority, dying with this process)."""
        return (["task", "--serve", "--device", self.device, "--parent", str(os.getpid()),
                 "--nice", str(ENGINE_NICE)], {"OMP_NUM_THREADS": str(self.engine_threads)})

    def __post_init__(self):
        if self.policy not in POLICY_MODES:
            raise ValueError(f"TRYON_POLICY must be one of {', '.join(POLICY_MODES)}, "
                             f"not {self.policy!r}")


def settings_from_environment(data_dir: str | os.PathLike | None = None) -> Settings:
    data = Path(data_dir or os.environ.get("TRYON_DATA", "storefront_data")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    return Settings(
        data_dir=data,
        database_url=os.environ.get("TRYON_DATABASE_URL", f"sqlite:///{data / 'storefront.db'}"),
        secret=bytes.fromhex(os.environ["TRYON_SECRET"]) if os.environ.get("TRYON_SECRET")
        else _kept_secret(data / "secret.key"),
        rate_limit_per_minute=int(os.environ.get("TRYON_RATE_LIMIT", 1200)),
        device=os.environ.get("TRYON_DEVICE", "auto"),
        broker=os.environ.get("TRYON_BROKER") or None,
        farm_store=os.environ.get("TRYON_STORE") or None,
        policy=os.environ.get("TRYON_POLICY", "split"),
        session_gap_s=float(os.environ.get("TRYON_SESSION_GAP_S", 1800)),
        privacy_budget=float(os.environ.get("TRYON_PRIVACY_BUDGET", 10)),
        messages_dir=Path(os.environ["TRYON_MESSAGES"]) if os.environ.get("TRYON_MESSAGES")
        else None,
        warm_engine=os.environ.get("TRYON_WARM_ENGINE") == "1",
        **({"engine_threads": int(os.environ["TRYON_ENGINE_THREADS"])}
           if os.environ.get("TRYON_ENGINE_THREADS") else {}),
        **_render(os.environ.get("TRYON_RENDER", "16,384x576")))


def _render(text: str) -> dict:
    samples, _, size = text.partition(",")
    width, _, height = size.partition("x")
    return {"render_samples": int(samples), "render_resolution": (int(width), int(height))}


def _kept_secret(path: Path) -> bytes:
    """The key in ``path``, made there (mode 0600) the first time."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    key = secrets.token_bytes(32)
    with os.fdopen(descriptor, "w") as file:
        file.write(key.hex())
    return key
