"""The storefront server's engines: each a runner thread with its warm engine process."""
from __future__ import annotations

import sys
import weakref
from concurrent.futures import ThreadPoolExecutor

from recommender.api.config import Settings
from render_farm.engine_process import KeptEngine


def runner_with_engine(settings: Settings, owner: object, name: str, warm: bool
                       ) -> tuple[ThreadPoolExecutor, KeptEngine]:
    """A runner thread (``name``) and the engine it works through (``tryon task --serve`` with
    ``settings.engine_args()``), ended when ``owner`` is dropped. The engine starts in the
    runner's thread (it dies with that thread): at once when ``warm``, else on first use."""
    runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    engine = KeptEngine(sys.executable, *settings.engine_args())
    weakref.finalize(owner, engine.close)
    if warm:
        runner.submit(engine.engine)
    return runner, engine
