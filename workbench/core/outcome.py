"""How a finished run is told in words: the Train tab's headline and the status bar.

The numbers come from the run's outcome as the trainer reported it, so "best" here is the
epoch whose weights are kept, the same one the Runs tab shows.
"""

from __future__ import annotations

from workbench.core.listener import TrainingOutcome


def describe_metrics(metrics: dict[str, float]) -> str:
    """'accuracy 91.2%, loss 0.231' for a dict of Keras metric values."""
    parts = []
    for name, value in metrics.items():
        short = name.removeprefix("test_")
        if "acc" in short:
            parts.append(f"{short} {value:.1%}")
        else:
            parts.append(f"{short} {value:.4g}")
    return ", ".join(parts)


def describe_test(outcome: TrainingOutcome) -> str:
    """'Test (held out, 123 rows): accuracy 87.1%, loss 0.342', or '' without a test part."""
    if not outcome.test_metrics:
        return ""
    rows = f", {outcome.test_samples:,} rows" if outcome.test_samples else ""
    return f"Test (held out{rows}): {describe_metrics(outcome.test_metrics)}"


def describe_outcome(outcome: TrainingOutcome, planned: int | None = None) -> str:
    """One sentence on how a run ended, for the Train tab and the status bar; ``planned`` is
    the number of epochs the run was set to train, when known."""
    of = f" of {planned}" if planned else ""
    done = outcome.epochs_completed
    if outcome.stopped:
        if done:
            text = f"Stopped after epoch {done}{of}."
        else:
            text = f"Stopped during epoch 1{of}, before it completed."
        text += " The model is kept: try it in the Predict tab."
    else:
        text = f"Finished {done} epoch{'s' if done != 1 else ''}."
    accuracy = next(
        (
            (name, value)
            for name, value in outcome.best_metrics.items()
            if name.startswith("val_") and "acc" in name
        ),
        None,
    )
    if accuracy is not None:
        epoch = f" (epoch {outcome.best_epoch})" if outcome.best_epoch else ""
        text += f" Best validation accuracy {accuracy[1]:.1%}{epoch}."
    mae = outcome.best_metrics.get("val_mae")
    if accuracy is None and mae is not None:
        epoch = f" (epoch {outcome.best_epoch})" if outcome.best_epoch else ""
        text += f" Best validation MAE {mae:.4g}{epoch}."
    if outcome.test_metrics:
        text += " Test part: " + describe_metrics(outcome.test_metrics) + "."
    best = outcome.best_epoch
    if best and best != done and not outcome.stopped:
        text += f" The model from epoch {best} (lowest validation loss) is kept."
    if outcome.samples_per_second:
        text += f" {outcome.samples_per_second:,.0f} samples/s."
    return text
