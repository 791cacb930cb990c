"""The Evaluate tab: how good a model is, where it fails, and against which baseline."""
