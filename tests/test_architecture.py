"""The apps stand in layers and never import upward (docs/architecture.md).

core ← privacy ← accounts ← staff ← support ← selfservice ← retention: an app imports only
apps of lower layers; where a lower app needs an answer from a higher one, it declares a hook
(core.hooks) that the higher app answers. ``nexcore_support`` holds settings, urls and wsgi
only, and no app imports it. Read from the source with ``ast``, so an import inside a function
counts too.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    "core": 0,
    "privacy": 1,
    "accounts": 2,
    "staff": 3,
    "incidents": 4,
    "support": 5,
    "selfservice": 6,
    "retention": 7,
    "compliance": 8,
}
PROJECT = "nexcore_support"
PROJECT_MODULES = {"__init__", "settings", "urls", "wsgi", "asgi"}

pytestmark = pytest.mark.infra


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(package: str) -> list[tuple[str, Path]]:
    return sorted((_module_name(path), path) for path in (ROOT / package).rglob("*.py"))


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``path`` imports, as absolute dotted names (relative ones resolved)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # "from staff.services import audit" imports the module staff.services.audit.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _project_graph() -> dict[str, set[str]]:
    packages = [package for package in [*LAYERS, PROJECT] if (ROOT / package).is_dir()]
    modules = {name: path for package in packages for name, path in _modules(package)}
    return {
        name: {target for target in _imports(name, path) if target in modules and target != name}
        for name, path in modules.items()
    }


def _layer_violations(graph: dict[str, set[str]]) -> list[str]:
    violations = []
    for source, targets in graph.items():
        app = source.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other == app or app == PROJECT:
                continue
            if other == PROJECT or other not in LAYERS or LAYERS[other] >= LAYERS[app]:
                violations.append(f"{source} imports {target}")
    return sorted(violations)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_app_imports_a_higher_layer_or_the_settings_package():
    assert _layer_violations(_project_graph()) == []


def test_no_two_modules_import_each_other():
    assert _cycles(_project_graph()) == []


def test_the_settings_package_holds_settings_urls_and_wsgi_only():
    names = {path.stem for path in (ROOT / PROJECT).glob("*.py")}
    folders = {path.name for path in (ROOT / PROJECT).iterdir() if path.is_dir()}
    assert names <= PROJECT_MODULES
    assert folders <= {"__pycache__"}


def test_the_check_catches_an_upward_import():
    graph = {"accounts.forms": {"retention.selectors"}, "retention.selectors": set()}
    assert _layer_violations(graph) == ["accounts.forms imports retention.selectors"]
    graph = {"staff.views": {"support.models"}, "support.models": set()}
    assert _layer_violations(graph) == ["staff.views imports support.models"]
    graph = {"support.admin": {"staff.admin.audit"}, "staff.admin.audit": set()}
    assert _layer_violations(graph) == []


def test_the_check_catches_a_cycle():
    graph = {"accounts.models": {"accounts.sessions"}, "accounts.sessions": {"accounts.models"}}
    assert _cycles(graph) == [["accounts.models", "accounts.sessions"]]


def test_relative_imports_are_resolved(tmp_path):
    module = tmp_path / "audit.py"
    module.write_text("from . import models\nfrom ..accounts import hooks\n")
    assert {"staff.services.models", "staff.accounts.hooks"} <= _imports(
        "staff.services.audit", module
    )


def test_every_app_is_packaged():
    apps = [package for package in [PROJECT, *LAYERS] if (ROOT / package).is_dir()]
    included = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    for app in apps:
        assert f"{app}*" in included, app


def test_every_app_of_the_project_stands_in_a_layer():
    from django.apps import apps

    ours = {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    assert {"accounts", "retention"} <= ours
    assert ours <= set(LAYERS), ours - set(LAYERS)
