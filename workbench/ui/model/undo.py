"""Undo commands for the layer stack.

Structural edits (add, remove, move, duplicate, a template replacing the stack) store the whole
stack before and after as plain data: stacks are a few dozen layers at most, and a snapshot
cannot drift out of step the way a chain of index-based diffs can. Parameter edits store one
value each way, so typing in a spin box merges into a single step.

Snapshots keep each layer's uid, so a restored layer still matches the backend's last summary
(no flicker of shapes and counts), and they are restored into the same list object, which the
window's project, the view and the Qt model all share.
"""

from __future__ import annotations

import copy
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from workbench.core.layers import LayerSpec

#: One layer as (uid, LayerSpec.to_dict()); a stack is a list of them.
Snapshot = list[tuple[int, dict[str, Any]]]

_PARAM_COMMAND_ID = 4001


def snapshot(layers: list[LayerSpec]) -> Snapshot:
    """A deep copy of ``layers`` as data, independent of later edits."""
    return [(layer.uid, copy.deepcopy(layer.to_dict())) for layer in layers]


def revive(state: Snapshot) -> list[LayerSpec]:
    """Fresh LayerSpecs from a snapshot, with their original uids."""
    layers = []
    for uid, data in state:
        layer = LayerSpec.from_dict(copy.deepcopy(data))
        layer.uid = uid
        layers.append(layer)
    return layers


def same_stack(a: Snapshot, b: Snapshot) -> bool:
    """True when two snapshots hold the same layers and values (uids aside)."""
    return [data for _, data in a] == [data for _, data in b]


class StackEditor(Protocol):
    """What the commands drive: the Model tab."""

    def restore_stack(self, state: Snapshot, row: int) -> None:
        """Make the shared list equal ``state`` and select ``row``."""

    def write_param(self, uid: int, name: str, value: Any, from_form: bool) -> None:
        """Set one parameter of the layer ``uid``; ``from_form`` when the form already shows it."""


class StackCommand(QUndoCommand):
    """Any change of the stack's layers or order, as a before/after pair of snapshots."""

    def __init__(
        self,
        editor: StackEditor,
        text: str,
        before: Snapshot,
        after: Snapshot,
        row_before: int,
        row_after: int,
    ) -> None:
        super().__init__(text)
        self._editor = editor
        self._before = before
        self._after = after
        self._row_before = row_before
        self._row_after = row_after

    def redo(self) -> None:
        """Apply the edit (also runs once when pushed)."""
        self._editor.restore_stack(self._after, self._row_after)

    def undo(self) -> None:
        """Put the stack back as it was."""
        self._editor.restore_stack(self._before, self._row_before)


class ParamCommand(QUndoCommand):
    """One parameter of one layer changed; repeated changes of it merge into one step."""

    def __init__(
        self, editor: StackEditor, text: str, uid: int, name: str, old: Any, new: Any
    ) -> None:
        super().__init__(text)
        self._editor = editor
        self.uid = uid
        self.name = name
        self.old = copy.deepcopy(old)
        self.new = copy.deepcopy(new)
        self._from_form = True  # the form wrote the value before the push

    def id(self) -> int:
        """Same id for every parameter edit, so QUndoStack offers them to mergeWith."""
        return _PARAM_COMMAND_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Absorb a following edit of the same parameter of the same layer."""
        if not isinstance(other, ParamCommand) or (other.uid, other.name) != (
            self.uid,
            self.name,
        ):
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)  # back where it started: drop the step
        return True

    def redo(self) -> None:
        """Write the new value."""
        self._editor.write_param(self.uid, self.name, self.new, self._from_form)
        self._from_form = False

    def undo(self) -> None:
        """Write the old value back."""
        self._editor.write_param(self.uid, self.name, self.old, False)
