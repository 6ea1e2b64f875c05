"""The linters configured in pyproject.toml run as part of the suite."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# Each package may import only from itself and the packages before it in this list.
LAYERS = ("system", "base", "audio", "pacing", "script", "session", "speech", "journal", "engine",
          "export", "cli", "testing")
MAX_MODULE_LINES = 320


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in found
            if name.startswith("assistant.") and name.count(".") >= 1}


def test_the_top_level_holds_only_packages_and_the_entry_point() -> None:
    loose = {p.name for p in (ROOT / "assistant").glob("*.py")}
    assert loose == {"__init__.py", "__main__.py"}


def test_every_import_runs_downward() -> None:
    upward = []
    for path in (ROOT / "assistant").rglob("*.py"):
        parts = path.relative_to(ROOT / "assistant").parts
        if len(parts) < 2 or parts[0] not in LAYERS:
            continue
        own = LAYERS.index(parts[0])
        for package in _imports(path):
            if package in LAYERS and LAYERS.index(package) > own:
                upward.append(f"{path.relative_to(ROOT)} imports assistant.{package}")
    assert upward == []


def test_no_module_holds_more_than_one_idea() -> None:
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "assistant").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}
