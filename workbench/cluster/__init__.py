"""Searches on Ray Tune: the driver (started by the CLI, or by the window as a child
process, never inside the GUI process) and the trial that runs in Ray's workers.

Needs the ``[cluster]`` extra (ray[tune], optuna). Imports ``core``; the trial imports the
``backend`` inside the worker. The ui never imports this package: it runs
``workbench sweep --spec FILE`` as a child process and reads the run store.
"""
