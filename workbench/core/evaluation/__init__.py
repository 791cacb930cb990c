"""How good a trained model is: metrics, curves, calibration, confusion-matrix cells, the
baselines it is compared with, and the offline report. Plain numpy + scikit-learn, so the
CLI, the window and the tests compute every number one way."""
