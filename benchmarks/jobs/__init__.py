"""The jobs fan-out benchmark: the designs, their server, the viewers, the measures."""
