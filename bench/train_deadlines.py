"""Learn the deadline chooser's weights from the labelled dev sentences; write data/deadline_model.json.

Reads ``tests/judge/fixtures/deadlines.tsv`` and ``deadlines_dev_new.tsv`` (never the frozen
holdout). Every date expression of a sentence is a candidate (``tracker.judge.dates``) with
the cue features of ``tracker.judge.deadlines``; a candidate is positive when it names the
expected day. An L2-regularised logistic regression (Newton's method, numpy) is fitted; its
regularisation and the threshold a winning candidate needs are chosen by 5-fold
cross-validation over sentences (most sentences exact, then fewest invented dates, then the
higher threshold). Deterministic: the same data give the same file.

    .venv/bin/python bench/train_deadlines.py [--check]

``--check`` fits again and fails if the shipped file differs (weights within 1e-6).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
from datetime import date
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.judge.dates import find_mentions  # noqa: E402
from tracker.judge.deadlines import DEFAULT_MODEL_PATH, FEATURES, candidate_features, zone_for  # noqa: E402
from tracker.judge.taxonomy import load_taxonomy  # noqa: E402

FIXTURES = ROOT / "tests" / "judge" / "fixtures"
TRAINING = (FIXTURES / "deadlines.tsv", FIXTURES / "deadlines_dev_new.tsv")
L2_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 19))
FOLDS = 5

Sentence = tuple[numpy.ndarray, list[date | None], date | None, str]  # features, candidate days, expected, text


def sentences_of(paths=TRAINING) -> list[Sentence]:
    settings = load_taxonomy().settings
    out = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                text = row["text"].replace("\\n", "\n")
                published = date.fromisoformat(row["published"]) if row["published"] else None
                jurisdiction = row["jurisdiction"] or None
                mentions = find_mentions(text, zone=zone_for(jurisdiction, settings),
                                         us_order=(jurisdiction or "").startswith("us"), published=published)
                features = candidate_features(text, mentions, published)
                matrix = numpy.array([[f.get(name, 0.0) for name in FEATURES] for f in features]).reshape(
                    len(features), len(FEATURES))
                expected = date.fromisoformat(row["expected"]) if row["expected"] else None
                out.append((matrix, [m.value for m in mentions], expected, text))
    return out


def fit(x: numpy.ndarray, y: numpy.ndarray, l2: float) -> numpy.ndarray:
    """Weights (bias first) of an L2-regularised logistic regression, by Newton's method."""
    xb = numpy.hstack([numpy.ones((len(x), 1)), x])
    penalty = numpy.full(xb.shape[1], l2)
    penalty[0] = 0.0
    w = numpy.zeros(xb.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + numpy.exp(-(xb @ w)))
        gradient = xb.T @ (p - y) + penalty * w
        hessian = xb.T @ (xb * (p * (1 - p))[:, None]) + numpy.diag(penalty + 1e-9)
        step = numpy.linalg.solve(hessian, gradient)
        w -= step
        if numpy.abs(step).max() < 1e-10:
            break
    return w


def stack(data: list[Sentence]) -> tuple[numpy.ndarray, numpy.ndarray]:
    x = numpy.vstack([m for m, _, _, _ in data if len(m)])
    y = numpy.array([float(v is not None and v == expected) for _, values, expected, _ in data for v in values])
    return x, y


def choose(w: numpy.ndarray, sentence: Sentence) -> tuple[float, date | None]:
    """The best candidate's probability and its day (None when it names none)."""
    matrix, values, _, _ = sentence
    if not len(matrix):
        return 0.0, None
    p = 1.0 / (1.0 + numpy.exp(-(w[0] + matrix @ w[1:])))
    best = int(numpy.argmax(p))
    return float(p[best]), values[best]


def score(outcomes: list[tuple[float, date | None, date | None]], threshold: float) -> tuple[int, int]:
    exact = invented = 0
    for probability, value, expected in outcomes:
        got = value if value is not None and probability >= threshold else None
        exact += got == expected
        invented += got is not None and expected is None
    return exact, invented


def cross_validated(data: list[Sentence], l2: float) -> list[tuple[float, date | None, date | None]]:
    order = list(range(len(data)))
    random.Random(13).shuffle(order)
    outcomes: list[tuple[float, date | None, date | None] | None] = [None] * len(data)
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        w = fit(*stack([s for i, s in enumerate(data) if i not in held]), l2)
        for i in held:
            outcomes[i] = (*choose(w, data[i]), data[i][2])
    return [o for o in outcomes if o is not None]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the shipped weights differ from a new fit")
    parser.add_argument("--show-errors", action="store_true", help="list the sentences the cross-validation got wrong")
    args = parser.parse_args()
    data = sentences_of()
    best = None
    for l2 in L2_GRID:
        outcomes = cross_validated(data, l2)
        for threshold in THRESHOLDS:
            exact, invented = score(outcomes, threshold)
            key = (exact, -invented, threshold, -l2)
            if best is None or key > best[0]:
                best = (key, l2, threshold, exact, invented)
    assert best is not None
    _, l2, threshold, cv_exact, cv_invented = best
    if args.show_errors:
        for (probability, value, expected), sentence in zip(cross_validated(data, l2), data, strict=True):
            got = value if value is not None and probability >= threshold else None
            if got != expected:
                print(f"  expected {expected or '-'!s:10} got {got or '-'!s:10} p={probability:.2f}",
                      repr(sentence[3][:150]))
    w = fit(*stack(data), l2)
    fitted_exact, fitted_invented = score([(*choose(w, s), s[2]) for s in data], threshold)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in TRAINING)).hexdigest()[:12]
    model = {
        "version": f"deadlines-{digest}", "trained_on": [str(p.relative_to(ROOT)) for p in TRAINING],
        "sentences": len(data), "l2": l2, "threshold": threshold,
        "cv_exact": f"{cv_exact}/{len(data)}", "cv_invented": cv_invented,
        "fitted_exact": f"{fitted_exact}/{len(data)}", "fitted_invented": fitted_invented,
        "bias": round(float(w[0]), 6), "features": list(FEATURES), "weights": [round(float(v), 6) for v in w[1:]],
    }
    print(f"{len(data)} sentences: l2 {l2}, threshold {threshold}; 5-fold CV exact {cv_exact} "
          f"({cv_exact / len(data):.1%}), invented {cv_invented}; on the training data exact {fitted_exact}, "
          f"invented {fitted_invented}")
    if args.check:
        shipped = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
        same = (shipped["features"] == model["features"] and shipped["threshold"] == threshold
                and numpy.allclose(shipped["weights"], model["weights"], atol=1e-6))
        print("shipped weights match" if same else "shipped weights differ: run bench/train_deadlines.py")
        return 0 if same else 1
    DEFAULT_MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"written {DEFAULT_MODEL_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
