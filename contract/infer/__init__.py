"""``python -m contract infer``: a contract drafted from a live endpoint (docs/inference.md).

A driver on top of the pipeline: ``record.py`` samples the endpoint with the suite's client
and limits; the inference is pure (``assemble.draft_from``: recordings in, a ``Draft`` out,
one module per table: ``head``, ``kinds`` with ``schema`` and ``text``, ``sequence``,
``timing``, ``ids``, ``resume``); ``writer.py`` writes the contract file with comments;
``driver.infer`` runs it all and checks the draft with the suite before it is written.
"""

from .assemble import Draft, draft_from, with_resume
from .driver import Outcome, infer
from .errors import InferError
from .writer import render

__all__ = ["Draft", "InferError", "Outcome", "draft_from", "infer", "render", "with_resume"]
