"""TensorFlow / Keras 3 lives here and only here. No Qt (checked by import-linter).

Import :mod:`workbench.backend.api` for the narrow interface the GUI worker and the CLI use.
"""
