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


def _import_graph():
    """grimp's graph of workbench, and its imports as a dict: module -> modules it imports.

    An import inside a function counts like one at the top (grimp reads both); only
    ``if TYPE_CHECKING:`` imports are left out, since they never run.
    """
    import grimp

    graph = grimp.build_graph("workbench", exclude_type_checking_imports=True)
    edges = {
        module: {m for m in graph.find_modules_directly_imported_by(module) if m != module}
        for module in graph.modules
    }
    return graph, edges


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def _shortest_cycle(start: str, edges: dict[str, set[str]], group: set[str]) -> list[str]:
    """The shortest path start -> ... -> start inside one group (breadth first)."""
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges[node] & group):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if child not in parents:
                    parents[child] = node
                    following.append(child)
        frontier = following
    return [start]


def test_no_import_cycles_inside_workbench():
    """DESIGN: no import circles inside ``workbench``; an import inside a function counts
    too (it still ties the two modules together, and one day runs at import time)."""
    graph, edges = _import_graph()
    problems = []
    for group in _strongly_connected(edges):
        members = set(group)
        cycle = _shortest_cycle(group[0], edges, members)
        imports = []
        for importer in group:
            for imported in sorted(edges[importer] & members):
                lines = sorted(
                    d["line_number"]
                    for d in graph.get_import_details(importer=importer, imported=imported)
                )
                imports.append(f"    {importer} -> {imported} (line {', '.join(map(str, lines))})")
        problems.append(
            f"cycle {' -> '.join(cycle)}\n"
            f"  the imports among these {len(group)} modules:\n" + "\n".join(imports)
        )
    assert not problems, "import cycles inside workbench:\n" + "\n".join(problems)


def test_cycle_finder_finds_cycles():
    """The guard above is only as good as its search: a known graph, known answers."""
    edges = {
        "a": {"b"},
        "b": {"c", "d"},
        "c": {"a"},
        "d": {"e"},
        "e": {"d"},
        "f": {"a"},
    }
    assert sorted(_strongly_connected(edges)) == [["a", "b", "c"], ["d", "e"]]
    assert _shortest_cycle("a", edges, {"a", "b", "c"}) == ["a", "b", "c", "a"]
    assert _strongly_connected({"a": {"b"}, "b": set()}) == []


MAX_LINES = 800
MAX_MAIN_WINDOW_LINES = 600  # main_window.py only composes the features


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_source_file_is_too_long():
    """DESIGN: no source file over 800 lines; split by concern."""
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in sorted((ROOT / "workbench").rglob("*.py"))
        if (n := _line_count(path)) > MAX_LINES
    }
    assert not too_long, f"over {MAX_LINES} lines: {too_long}"


def test_main_window_only_composes():
    path = ROOT / "workbench" / "ui" / "main_window.py"
    n = _line_count(path)
    assert n <= MAX_MAIN_WINDOW_LINES, (
        f"workbench/ui/main_window.py has {n} lines (at most {MAX_MAIN_WINDOW_LINES}): "
        "move feature code into its package"
    )
