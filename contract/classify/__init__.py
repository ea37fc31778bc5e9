"""Which kind each event is, decided once per run by one ``Classifier`` per contract."""

from .classifier import Classified, Classifier
from .terminal import is_terminal, terminal_index, terminal_test

__all__ = ["Classified", "Classifier", "is_terminal", "terminal_index", "terminal_test"]
