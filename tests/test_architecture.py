"""The layers stay honest (import-linter) and the code stays tidy (ruff)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> list[str]:
    exe = shutil.which(name) or str(Path(sys.executable).with_name(name))
    return [exe]


def test_import_contracts_hold():
    result = subprocess.run(_tool("lint-imports"), cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint_and_format_are_clean():
    lint = subprocess.run(
        [*_tool("ruff"), "check", "workbench", "tests", "resources"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = subprocess.run(
        [*_tool("ruff"), "format", "--check", "workbench", "tests", "resources"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_core_imports_without_tensorflow_or_qt():
    code = (
        "import sys, workbench.core.project, workbench.core.textdata, workbench.core.layers;"
        "bad = [m for m in ('tensorflow', 'keras', 'PySide6') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_every_package_is_listed_for_installation():
    """pyproject lists packages explicitly; a new subpackage missing there works in an
    editable install but vanishes from a wheel or an installer build."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "workbench").rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)
