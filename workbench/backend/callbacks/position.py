"""Where one fit stands: the little the callbacks of a fit share (plain Python, no Keras)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FitPosition:
    """Shared by the callbacks of one fit; each writes only its own fields.

    ``ProgressRelay`` counts epochs and samples; ``NaNGuard`` and ``StopOnRequest`` set
    ``stopped_mid_epoch``, after which the epoch-end callbacks skip the unfinished epoch;
    ``LiveSettings`` moves ``target_epochs``, which ``EpochTarget`` and ``EarlyStopping`` read.
    """

    target_epochs: int  # fit() runs open-ended; training ends after this epoch
    epochs_completed: int = 0
    samples_seen: int = 0  # in the epoch under way
    stopped_mid_epoch: bool = False

    @property
    def epoch_index(self) -> int:
        """The number (from 1) of the epoch under way."""
        return self.epochs_completed + 1


def floats(logs: dict | None) -> dict[str, float]:
    """Keras logs as plain floats (a copy)."""
    return {k: float(v) for k, v in (logs or {}).items()}
