"""Files shipped with Training Workbench (sample data, icons); installed as workbench.resources."""
