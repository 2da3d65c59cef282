"""The packages import one way (pyproject.toml's import-linter contracts): neural, the engine,
imports none of the others; render_farm imports nothing of the storefront; the storefront
imports nothing of the add-on, and its policies and API nothing of the shopper simulator."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout
