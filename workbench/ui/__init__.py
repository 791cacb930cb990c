"""The Qt user interface: views, item models and the worker threads that drive the backend.

Nothing here imports TensorFlow or Keras (import-linter checks it); only
:mod:`workbench.ui.workers` reaches into :mod:`workbench.backend`, lazily, on worker threads.
"""
