"""File ▸ Export model…: the model as SavedModel, LiteRT, ONNX or Keras, with a parity check."""
