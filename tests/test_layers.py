"""The house's layers, read from the code with ``ast``: no import loop, no arrow running up, one import package.

Each module of the package belongs to a layer (``LAYERS``, lowest first) and imports only modules of its own layer
or lower. A project module is imported inside a function only to defer a heavy or optional library: those modules
are listed in ``DEFERRED`` with the library they defer, and the import carries a ``# defers`` comment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = {
    "ofsted_tracker": "ofsted_tracker",
    "workbook": "ofsted_tracker.workbook",
    "addin": "ofsted_tracker.addin",
    "report_builder": "ofsted_tracker.report_builder",
    "templates": "ofsted_tracker.templates",
}
# Lowest first: a module's layer is the first prefix it matches.
LAYERS = (
    (
        "base",
        (
            "ofsted_tracker.workbook.errors",
            "ofsted_tracker.workbook.memory",
            "ofsted_tracker.workbook.plan.words",
            "ofsted_tracker.templates",
        ),
    ),
    ("plan", ("ofsted_tracker.workbook.plan",)),
    ("rules", ("ofsted_tracker.workbook.rules",)),
    ("store", ("ofsted_tracker.workbook.store",)),
    ("jobs", ("ofsted_tracker.workbook.jobs",)),
    (
        "uses of the jobs",
        (
            "ofsted_tracker.workbook.demo",
            "ofsted_tracker.workbook.importer",
            "ofsted_tracker.workbook.frames",
            "ofsted_tracker.report_builder",
        ),
    ),
    ("Excel", ("ofsted_tracker.addin",)),
    ("command line and API", ("ofsted_tracker",)),
)
DEFERRED = {  # modules imported inside a function, and what importing them would load
    "ofsted_tracker.workbook.store.writer": "openpyxl",
    "ofsted_tracker.workbook.store.request_files": "email",
    "ofsted_tracker.workbook.demo": "openpyxl",
    "ofsted_tracker.workbook.importer.build": "python-docx and openpyxl",
    "ofsted_tracker.workbook.frames": "pandas",
    "ofsted_tracker.show": "rich",
    "ofsted_tracker.addin.server.serve": "xlwings Server",
    "ofsted_tracker.addin.server.app": "xlwings Server",
    # the report's own code: about 60 ms to import (python -X importtime, bytecode cached), which validate, refresh,
    # summary and the ribbon's other buttons never need
    "ofsted_tracker.report_builder": "the report's code",
    "ofsted_tracker.report_builder.build": "the report's code",
    "ofsted_tracker.report_builder.pdf": "the report's code",
}


def modules() -> dict[str, Path]:
    """Every module of the package, by its import name, from the repository's folders."""
    found = {}
    for folder, package in FOLDERS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            if "source" in path.relative_to(REPO / folder).parts:
                continue  # templates/source/: how the template was first made, not part of the package
            parts = path.relative_to(REPO / folder).with_suffix("").parts
            name = ".".join((package, *parts))
            found[name.removesuffix(".__init__")] = path
    return found


def layer(module: str) -> int:
    return next(
        i
        for i, (_, prefixes) in enumerate(LAYERS)
        if any(module == p or module.startswith(p + ".") for p in prefixes)
    )


def imports(path: Path, known: set[str]) -> list[tuple[str, bool, int, int]]:
    """The project modules a file imports: (module, inside a function, first line, last line of the statement)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    target = full if full in known else child.module
                    if target in known:
                        out.append((target, inside, child.lineno, child.end_lineno))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name in known:
                        out.append((alias.name, inside, child.lineno, child.end_lineno))
            visit(child, inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(tree, False)
    return out


MODULES = modules()
GRAPH = {name: imports(path, set(MODULES)) for name, path in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    assert {name: layer(name) for name in MODULES}


def test_no_module_imports_one_above_it() -> None:
    upward = [
        f"{name} (layer {LAYERS[layer(name)][0]}) imports {target} (layer {LAYERS[layer(target)][0]}), "
        f"line {line}"
        for name, found in GRAPH.items()
        for target, _, line, _ in found
        if layer(target) > layer(name) and not name.startswith(target + ".")
    ]
    assert not upward, "\n".join(upward)


def test_there_is_no_import_loop() -> None:
    edges = {
        name: {t for t, _, _, _ in found if t != name and not name.startswith(t + ".")}
        for name, found in GRAPH.items()
    }
    state: dict[str, int] = {}
    loops = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                loops.append(" -> ".join(path[path.index(nxt) :] + [nxt]))
            elif nxt not in state:
                walk(nxt, path + [nxt])
        state[node] = 2

    for name in sorted(edges):
        if name not in state:
            walk(name, [name])
    assert not loops, "\n".join(loops)


def test_a_project_module_is_imported_inside_a_function_only_to_defer_a_heavy_library() -> None:
    inside = [
        (name, target, line, end)
        for name, found in GRAPH.items()
        for target, deferred, line, end in found
        if deferred
    ]
    wrong = [
        f"{MODULES[name].relative_to(REPO)}:{line} imports {target} inside a function"
        for name, target, line, _ in inside
        if target not in DEFERRED
    ]
    assert not wrong, "\n".join(wrong)
    unmarked = [
        f"{MODULES[name].relative_to(REPO)}:{line}"
        for name, target, line, end in inside
        if "# defers"
        not in "".join(MODULES[name].read_text(encoding="utf-8").splitlines()[line - 1 : end])
    ]
    assert not unmarked, "say what the import defers (# defers LIBRARY): " + ", ".join(unmarked)


@pytest.mark.parametrize(
    "folder", [f for f in FOLDERS if f != "ofsted_tracker"] + ["tests", "bench"]
)
def test_code_imports_the_folders_only_through_the_one_package(folder: str) -> None:
    bare = []
    for path in sorted((REPO / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                else []
            )
            bare += [
                f"{path.relative_to(REPO)}:{node.lineno} {n}"
                for n in names
                if n.split(".")[0] in ("workbook", "addin", "report_builder", "templates")
            ]
    assert not bare, "\n".join(bare)


def test_the_layer_check_can_fail() -> None:
    """The walker sees an upward import and a loop when there is one (a fake graph, the same functions)."""
    assert layer("ofsted_tracker.workbook.rules.summary") < layer("ofsted_tracker.workbook.jobs")
    found = {
        (t, d) for t, d, _, _ in imports(MODULES["ofsted_tracker.workbook.jobs"], set(MODULES))
    }
    assert ("ofsted_tracker.workbook.rules.summary", False) in found
    assert ("ofsted_tracker.workbook.store.writer", True) in found
