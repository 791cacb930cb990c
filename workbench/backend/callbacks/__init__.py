"""The trainer's Keras callbacks, one concern each (as ``keras/src/callbacks`` has them).

:class:`FitCallbacks` builds them for one fit, in the order they must run, and gathers
their state for checkpoints. Each one on its own:

- :class:`LearningRateLog`: ``learning_rate`` in every epoch's logs.
- :class:`BestEpoch`: the best epoch by the monitored number, its weights restored at the end.
- :class:`ProgressRelay`: batch and epoch progress to the listener; the history.
- :class:`NaNGuard`: stops at a NaN or infinite loss, back to the last good weights.
- :class:`PauseBetweenBatches`: blocks while paused.
- :class:`LiveSettings`: epochs, learning rate and patience changed while training.
- :class:`StopOnRequest`: stops after the batch a stop was asked during.
- :class:`EarlyStopping`: stops after ``patience`` epochs without a new best.
- :class:`ReduceOnPlateau`: halves the learning rate when val_loss stalls.
- :class:`EpochTarget`: stops after the set number of epochs.
- :class:`EpochCheckpoint`: hands every finished epoch to the run's recorder.
"""

from workbench.backend.callbacks.best_epoch import BestEpoch
from workbench.backend.callbacks.checkpointing import EpochCheckpoint
from workbench.backend.callbacks.early_stopping import EarlyStopping
from workbench.backend.callbacks.epoch_target import OPEN_ENDED_EPOCHS, EpochTarget
from workbench.backend.callbacks.fit_callbacks import FitCallbacks
from workbench.backend.callbacks.learning_rate_log import LearningRateLog
from workbench.backend.callbacks.live_settings import LiveSettings
from workbench.backend.callbacks.nan_guard import NaNGuard
from workbench.backend.callbacks.pause import PauseBetweenBatches
from workbench.backend.callbacks.position import FitPosition
from workbench.backend.callbacks.progress import ProgressRelay
from workbench.backend.callbacks.reduce_on_plateau import ReduceOnPlateau
from workbench.backend.callbacks.stop import StopOnRequest

__all__ = [
    "OPEN_ENDED_EPOCHS",
    "BestEpoch",
    "EarlyStopping",
    "EpochCheckpoint",
    "EpochTarget",
    "FitCallbacks",
    "FitPosition",
    "LearningRateLog",
    "LiveSettings",
    "NaNGuard",
    "PauseBetweenBatches",
    "ProgressRelay",
    "ReduceOnPlateau",
    "StopOnRequest",
]
