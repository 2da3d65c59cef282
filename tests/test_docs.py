"""The documentation: README.md stays a short front page whose links resolve, and the site in
docs/ builds with mkdocs without a broken link or anchor (strict mode)."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_is_a_short_front_page_that_begins_with_the_two_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 150
    assert lines[2:6] == ["```", "make demo", "make test", "```"]


def test_readme_links_reach_files_of_the_repository():
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", (ROOT / "README.md").read_text())
    assert targets, "README links to the guides"
    assert [t for t in targets if not (ROOT / t).is_file()] == []


def test_the_site_builds_with_no_broken_link(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pages = {p.relative_to(tmp_path / "site").as_posix()
             for p in (tmp_path / "site").rglob("index.html")}
    assert {"index.html", "artists/index.html", "benchmarks/index.html"} <= pages
