"""The offline report: written atomically, readable with no network and no script, every
stranger's string shown as text, and metrics.json strict JSON with the evaluation's values."""

from __future__ import annotations

import html
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from workbench.core.evaluation.baselines import (
    Baseline,
    compare,
    majority_baseline,
    mean_baseline,
)
from workbench.core.evaluation.metrics import evaluate_classification, evaluate_regression
from workbench.core.evaluation.report import metrics_document, strict, write_report
from workbench.core.evaluation.svg import nice_ticks, short, subsample

HOSTILE = '<script>alert("x")</script>'


def _classification(classes: int, rows: int = 300, names: list[str] | None = None):
    rng = np.random.default_rng(classes)
    y = rng.integers(0, classes, rows)
    proba = rng.dirichlet(np.ones(classes), rows)
    proba[np.arange(rows), y] += 0.5
    proba /= proba.sum(axis=1, keepdims=True)
    names = names or [f"class {i}" for i in range(classes)]
    ev = evaluate_classification(y, proba, names)
    return ev, majority_baseline(y[::-1], y, names, np.arange(rows))


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.S)


def _check_offline(page: str) -> None:
    lowered = page.lower()
    assert "<script" not in lowered
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", lowered)
    assert "http://" not in lowered and "https://" not in lowered
    assert "<iframe" not in lowered and "<object" not in lowered and "<img" not in lowered
    body = page.split("\n", 1)[1]  # past the doctype: well-formed XML
    ET.fromstring(body)
    for chart in _svgs(page):
        ET.fromstring(chart)


def _read(directory: Path) -> tuple[str, dict]:
    page = (directory / "report.html").read_text(encoding="utf-8")
    data = json.loads(
        (directory / "metrics.json").read_text(encoding="utf-8"),
        parse_constant=lambda name: pytest.fail(f"metrics.json holds {name}"),
    )
    return page, data


@pytest.mark.parametrize("classes", [2, 4])
def test_classification_report(tmp_path: Path, classes: int) -> None:
    ev, base = _classification(classes)
    out = tmp_path / "new" / "folder"
    path = write_report(out, ev, [base], "My model", "/data/test.csv")
    assert path == out / "report.html"
    page, data = _read(out)
    _check_offline(page)
    charts = _svgs(page)
    assert len(charts) == 4  # confusion, ROC, PR, reliability
    assert "Confusion matrix" in charts[0] and "ROC" in charts[1]
    assert "Precision-recall" in charts[2] and "ECE" in charts[3]
    expected = ev.to_json()
    for key, value in expected.items():
        assert data[key] == value
    assert data["baseline"] == base.to_json()
    assert data["baselines"] == [base.to_json()]
    assert "My model" in page and "/data/test.csv" in page
    assert f"{ev.accuracy:.2%}" in page
    assert html.escape(compare(ev, base).headline) in page
    for name in ev.class_names:
        assert name in page
    assert not list(out.glob(".*"))  # no temporary file left


def test_hostile_strings_are_text(tmp_path: Path) -> None:
    names = ["cat", HOSTILE, "a & b", "quote\"'", "ctrl\x00\x1bchar", "\udcff surrogate"]
    ev, base = _classification(len(names), names=names)
    write_report(tmp_path, ev, [base], f"title {HOSTILE}", f"/tmp/{HOSTILE}&.csv")
    page, data = _read(tmp_path)
    _check_offline(page)
    assert "&lt;script&gt;" in page
    assert "a &amp; b" in page
    assert data["classes"][1] == HOSTILE  # the JSON keeps the name as it is


def test_baselines_last_is_the_one_named(tmp_path: Path) -> None:
    ev, majority = _classification(3)
    better = Baseline("linear", ev)
    write_report(tmp_path, ev, [majority, better], "t", "s")
    page, data = _read(tmp_path)
    assert data["baseline"]["name"] == "linear"
    assert [b["name"] for b in data["baselines"]] == ["majority class", "linear"]
    assert "does no better than the linear baseline" in page
    assert "Baseline: linear" in page and "Baseline: majority class" in page


def test_no_baseline_and_one_class(tmp_path: Path) -> None:
    ev = evaluate_classification(np.zeros(5, dtype=int), np.full((5, 3), 1 / 3), ["a", "b", "c"])
    write_report(tmp_path, ev, [], "t", "s")
    page, data = _read(tmp_path)
    _check_offline(page)
    assert data["baseline"] is None and data["baselines"] == []
    assert data["roc_auc"] is None
    assert "No baseline" in page and "No curve" in page
    assert len(_svgs(page)) == 4


def test_many_classes_stay_readable(tmp_path: Path) -> None:
    names = [f"a rather long class name number {i}" for i in range(50)]
    ev, base = _classification(50, rows=2000, names=names)
    write_report(tmp_path, ev, [base], "fifty", "s")
    page, _ = _read(tmp_path)
    _check_offline(page)
    matrix = _svgs(page)[0]
    width = float(re.search(r'width="([\d.]+)"', matrix).group(1))
    assert width < 1000
    assert short(names[7], 12) in matrix
    assert len(short(names[7], 12)) == 12
    assert names[7] in matrix  # whole, in a tooltip


def test_regression_report(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=12_000)
    pred = y + rng.normal(scale=0.3, size=y.size)
    ev = evaluate_regression(y, pred, np.arange(100, 100 + y.size))
    base = mean_baseline(y[:100], y, np.arange(y.size))
    write_report(tmp_path, ev, [base], "reg", "numbers.csv")
    page, data = _read(tmp_path)
    _check_offline(page)
    charts = _svgs(page)
    assert len(charts) == 2  # scatter, residual histogram
    assert charts[0].count("<circle") == 5000
    assert "5,000 of 12,000" in charts[0]
    assert data == {**ev.to_json(), "baseline": base.to_json(), "baselines": [base.to_json()]}
    worst = int(ev.rows[ev.worst(1)[0]])
    assert f"<td>{worst}</td>" in page
    assert "beats the training mean baseline" in page
    # the same points each time
    again = tmp_path / "again"
    write_report(again, ev, [base], "reg", "numbers.csv")
    assert (again / "report.html").read_text() == page


def test_regression_constant_target_is_strict_json(tmp_path: Path) -> None:
    ev = evaluate_regression(np.ones(4), np.array([1.0, 2.0, 1.0, 0.5]))
    write_report(tmp_path, ev, [mean_baseline(np.ones(3), np.ones(4), np.arange(4))], "t", "s")
    page, data = _read(tmp_path)
    _check_offline(page)
    assert data["r2"] is None


def test_strict_replaces_non_finite_numbers() -> None:
    value = {"a": math.nan, "b": [np.float32(np.inf), np.int64(3)], "c": np.array([1.5, -np.inf])}
    assert strict(value) == {"a": None, "b": [None, 3], "c": [1.5, None]}
    json.dumps(strict(value), allow_nan=False)
    ev, base = _classification(3)
    json.dumps(metrics_document(ev, [base]), allow_nan=False)


def test_helpers() -> None:
    assert subsample(10).tolist() == list(range(10))
    picked = subsample(100_000)
    assert len(picked) == 5000 and np.all(np.diff(picked) > 0)
    assert np.array_equal(picked, subsample(100_000))
    assert nice_ticks(0, 2400) == [0, 500, 1000, 1500, 2000]
    assert nice_ticks(-3.95, 4.25) == [-2, 0, 2, 4]
    assert short("short") == "short"
