"""The package's layout is its architecture: stages import only downwards, and no module
imports itself back through others.

Every import counts: module level, inside functions (the deferred heavy imports) and under
``TYPE_CHECKING``. Layers, lowest first:

1. the shared basics at the top of ``assistant`` (config, errors, audio, content, language data);
2. the three stages of a turn, which never import each other: ``speech_in``, ``understanding``,
   ``speech_out``;
3. ``kiosk``, which wires the stages into a running kiosk;
4. ``cli``, the commands.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
STAGES = ("speech_in", "understanding", "speech_out")
LAYER = {"top": 0, **dict.fromkeys(STAGES, 1), "kiosk": 2, "cli": 3}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The ``assistant`` modules a file imports (``from pkg import module`` names the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("assistant"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("assistant"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if _exists(sub) else target)
    found.discard(name)
    return found


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in LAYER else "top"


def test_the_package_has_one_folder_per_stage() -> None:
    for area in (*STAGES, "kiosk", "cli"):
        init = PACKAGE / area / "__init__.py"
        assert init.is_file(), f"missing {init}"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), (
            f"{init} should say what the subpackage owns and exposes"
        )


def test_no_layer_imports_a_higher_one_and_stages_do_not_import_each_other() -> None:
    wrong = []
    for module, imported in _graph().items():
        for target in imported:
            a, b = _area(module), _area(target)
            if LAYER[b] > LAYER[a] or (a != b and a in STAGES and b in STAGES):
                wrong.append(f"{module} ({a}) imports {target} ({b})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_circle() -> None:
    graph = _graph()
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the path, 2 done
    path: list[str] = []
    circles: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state[nxt] == 1:
                circles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif state[nxt] == 0:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in graph:
        if state[node] == 0:
            visit(node)
    assert not circles, "\n".join(circles)


@pytest.mark.parametrize("area", ["top", *STAGES, "kiosk", "cli"])
def test_the_walk_itself_sees_imports(area: str) -> None:
    """The walk finds imports at all (a broken walk would pass the tests above vacuously)."""
    graph = _graph()
    modules = [m for m in graph if _area(m) == area]
    assert modules
    if area != "top":
        assert any(graph[m] for m in modules)
