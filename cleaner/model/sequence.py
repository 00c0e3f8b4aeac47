"""Sequence step: a 2-state HMM (boilerplate / content) over the lines of a document.

The per-line classifier gives q_i = P(content | features_i).  Divided by the class prior this is
proportional to the emission likelihood, so the emission ratio used is
``r_i = ((q_i / prior) / ((1 - q_i) / (1 - prior))) ** power``.  Transitions are
``P(content -> content) = stay_c`` and ``P(boiler -> boiler) = stay_b`` (estimated on training
labels, then tuned on validation with ``power``).  Forward-backward gives the posterior
P(content) for every line; that posterior is what ``LineModel.score`` returns.
"""

from __future__ import annotations

import numpy as np

from cleaner.accel import forward_backward


def hmm_posterior(
    q: np.ndarray, prior: float, stay_c: float, stay_b: float, power: float = 1.0
) -> np.ndarray:
    n = len(q)
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    q = np.clip(np.asarray(q, dtype=np.float64), 1e-6, 1 - 1e-6)
    prior = min(max(prior, 1e-3), 1 - 1e-3)
    ec = (q / prior) ** power
    eb = ((1 - q) / (1 - prior)) ** power
    s = ec + eb
    return forward_backward(ec / s, eb / s, prior, stay_c, stay_b)
