"""The environment the suite runs in holds exactly what the lock files pin: what a fresh
machine gets from `make`, and what this suite passed with."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ("requirements.lock", "requirements-nodeps.lock")
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.MULTILINE)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_installed_packages_are_exactly_the_locked_ones():
    locked = {(_normal(name), version) for lock in LOCKS
              for name, version in PIN.findall((ROOT / lock).read_text())}
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    installed = {(_normal(name), version) for name, version in PIN.findall(frozen)
                 if _normal(name) != "pip"}  # pip comes with the virtual environment
    assert sorted(installed - locked) == [] and sorted(locked - installed) == []
