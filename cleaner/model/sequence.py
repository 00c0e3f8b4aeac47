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
    ec = (ec / s).tolist()
    eb = (eb / s).tolist()
    a_cc, a_cb = stay_c, 1.0 - stay_c
    a_bb, a_bc = stay_b, 1.0 - stay_b
    fc = [0.0] * n
    fb = [0.0] * n
    c = prior * ec[0]
    b = (1 - prior) * eb[0]
    z = c + b
    fc[0] = c / z
    fb[0] = b / z
    for i in range(1, n):
        pc = fc[i - 1]
        pb = fb[i - 1]
        c = (pc * a_cc + pb * a_bc) * ec[i]
        b = (pc * a_cb + pb * a_bb) * eb[i]
        z = c + b
        fc[i] = c / z
        fb[i] = b / z
    post = [0.0] * n
    bc = 1.0
    bb = 1.0
    post[n - 1] = fc[n - 1]
    for i in range(n - 2, -1, -1):
        # beta_i(s) = sum_t a(s,t) e_{i+1}(t) beta_{i+1}(t)
        nc = ec[i + 1] * bc
        nb = eb[i + 1] * bb
        bc2 = a_cc * nc + a_cb * nb
        bb2 = a_bc * nc + a_bb * nb
        z = bc2 + bb2
        bc = bc2 / z
        bb = bb2 / z
        pc = fc[i] * bc
        pb = fb[i] * bb
        post[i] = pc / (pc + pb)
    return np.asarray(post, dtype=np.float64)
