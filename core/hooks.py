"""Questions a lower app asks and only a higher one can answer, without importing it.

Apps stand in layers and never import upward (docs/architecture.md). Where a lower app needs an
answer that belongs to a higher one — sign-up asking whether an ID is still held by an archived
member, say — the lower app declares a ``Hook`` and the higher app plugs its function in from
its ``AppConfig.ready()``, as Django's own apps register admin classes or system checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Hook:
    """One answer, given by exactly one function registered at start-up.

    Calling a hook nobody answered is a wiring fault, not a "no": it raises rather than guess,
    so a missing registration fails the first test that needs it.
    """

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._answer: Callable[..., Any] | None = None

    def register(self, answer: Callable[..., Any]) -> Callable[..., Any]:
        self._answer = answer
        return answer

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._answer is None:
            raise ImproperlyConfigured(f"Nothing answers the hook {self.name}.")
        return self._answer(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"


class Contributions:
    """A question every app above may add to: each registered function gives its part.

    The parts come back in the order the apps registered them (``INSTALLED_APPS``); with none
    registered the answer is an empty list.
    """

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._parts: list[Callable[..., Any]] = []

    def register(self, part: Callable[..., Any]) -> Callable[..., Any]:
        if part not in self._parts:
            self._parts.append(part)
        return part

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        return [part(*args, **kwargs) for part in self._parts]

    def __repr__(self) -> str:
        return f"<Contributions {self.name}>"
