"""Check a ``[keymap]`` from the config file against the board's bindings.

Textual applies a keymap silently: an id with a typo does nothing, and a key given to
one action quietly stops running the other one bound to it. The board reports both,
one line each, when it opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding


def _keys(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
    return [key.strip() for key in keys.split(",") if key.strip()]


def keymap_problems(keymap: Mapping[str, str], scopes: Iterable[Iterable[Binding]],
                    known: Iterable[Binding] = ()) -> list[str]:
    """One line per unknown id and per key bound to two actions in one scope.

    ``scopes`` are the bindings active together (the app's, the board's, its cursor's);
    ``known`` are other bindings whose ids may be remapped (dialogs, other screens)."""
    scopes = [list(scope) for scope in scopes]
    ids = {b.id for scope in scopes for b in scope if b.id} | {b.id for b in known if b.id}
    problems = [f"keymap: no key has the id “{ident}” (see the ids in the help, ?)"
                for ident in keymap if ident not in ids]
    reported: set[tuple[str, ...]] = set()
    for scope in scopes:
        owners: dict[str, list[str]] = {}
        for binding in scope:
            for key in _keys(binding, keymap):
                names = owners.setdefault(key, [])
                if binding.id and binding.id not in names:
                    names.append(binding.id)
        for key, names in owners.items():
            if len(names) > 1 and any(name in keymap for name in names):
                report = (key, *sorted(names))
                if report not in reported:
                    reported.add(report)
                    problems.append(f"keymap: {key} is bound to both "
                                    f"{' and '.join(sorted(names))}; only one of them runs")
    return problems
