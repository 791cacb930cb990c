"""The domain, in plain Python and numpy: no Qt, no TensorFlow (checked by import-linter)."""
