"""The shape of the code: no import circles, imports that go one way between the concept
packages, small modules, and installed names that a user's own solver.py cannot shadow.

The import graph is built here from the source with ``ast`` (module-level and function-level
imports alike; ``if TYPE_CHECKING:`` blocks are type hints, not imports, and are left out), not
from the import system, so an import hidden inside a function is seen too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGES = {"solver": ROOT / "solver", "meshes": ROOT / "meshes"}
MAX_LINES = 400

#: Layers of the package, bottom first: a module may import only from lower layers (and its
#: own package).  meshes knows geometry, never physics.
LAYERS = {
    "meshes": 0, "solver.errors": 0,
    "solver.physics": 1, "solver.linalg": 1,
    "solver.config": 2,
    "solver.fv": 3, "solver.timestepping": 3, "solver.montecarlo": 4,
    "solver.run": 5,
    "solver.io": 6,
    "solver.runner": 7, "solver.compare": 8, "solver.sweep": 8, "solver.sensitivity": 8, "solver.bound": 8,
    "solver.lockin": 8,
    "solver.paper": 9,
    "solver.cli": 10,
}


def _modules() -> dict[str, Path]:
    """Module name ('solver.fv.layout', as installed under vip_transport) -> file."""
    out = {}
    for top, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = [top, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _is_type_checking(node) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(name: str, path: Path) -> set[str]:
    """Names imported by the module ``name`` at run time (type-checking blocks left out)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def visit(node):
        if _is_type_checking(node):
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                if len(base) == 0:          # beyond the top: vip_transport.<sibling>
                    base = []
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            stem = stem.removeprefix("vip_transport.")
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    edges = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(name, path):
            parts = imported.split(".")
            for k in range(len(parts), 0, -1):      # the longest known module prefix
                candidate = ".".join(parts[:k])
                if candidate in modules and candidate != name:
                    targets.add(candidate)
                    break
        edges[name] = targets
    return edges


def _is_ancestor(a: str, b: str) -> bool:
    return b.startswith(a + ".")


def test_the_graph_sees_imports_inside_functions(graph):
    # solver.cli imports the runner only inside its command functions
    assert "solver.runner" in graph["solver.cli"]


def test_no_import_circles(graph):
    index, low, stack, on_stack, circles = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if _is_ancestor(v, w) or _is_ancestor(w, v):   # a package's own __init__
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert circles == []


def _layer(module: str) -> tuple[str, int]:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix, LAYERS[prefix]
    raise AssertionError(f"{module} belongs to no layer of LAYERS: add it")


def test_imports_go_one_way_between_the_concept_packages(graph):
    upward = []
    for module, targets in graph.items():
        if module in ("solver",):           # the package's own __init__ (version only)
            continue
        home, rank = _layer(module)
        for target in targets:
            if target == "solver":
                continue                    # __version__
            other, other_rank = _layer(target)
            if other != home and other_rank >= rank:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_module_over_the_line_limit():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_installed_names_do_not_shadow_or_get_shadowed(tmp_path):
    """From a folder that is not the repository, the bare names are not importable and the
    package is; a user's own solver.py there does not change what vip_transport.solver is."""
    (tmp_path / "solver.py").write_text("raise SystemExit('the user module was imported')\n")
    code = ("import importlib.util, sys\n"
            "sys.path.remove('') if '' in sys.path else None\n"
            "assert importlib.util.find_spec('solver') is None, 'solver is importable'\n"
            "assert importlib.util.find_spec('meshes') is None, 'meshes is importable'\n"
            "import vip_transport.solver, vip_transport.meshes\n"
            "print(vip_transport.solver.__file__)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).parent == ROOT / "solver"
    # and with the user's folder on the path (a notebook beside solver.py), the package still wins
    code = "import vip_transport.solver.run as run; print(run.__file__)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).is_relative_to(ROOT / "solver")


def test_tests_use_the_installed_names_only():
    """No test module imports the bare 'solver' or 'meshes' (which only resolve from the
    repository root and would load a second copy of every module)."""
    bare = []
    for path in (ROOT / "tests").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            bare += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("solver", "meshes")]
    assert bare == []
