"""The linear baseline's features and model: what anyone would try first, fitted quickly.

Text becomes TF-IDF word unigrams and bigrams; a table's numbers are imputed and
standardised and its categories one-hot encoded; image pixels and npz arrays (flattened by
the caller) are standardised. A logistic regression classifies and a ridge regression
regresses. Everything is deterministic and bounded (rows subsampled, features capped,
iterations limited), so the baseline takes seconds, never minutes, and the same data always
gives the same numbers. scikit-learn's submodules are imported inside the functions: only
worker threads pay for them.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.tables import LoadCancelled

MAX_TRAIN_ROWS = 50_000  # text and tables
MAX_ARRAY_CELLS = 50_000_000  # images and npz: rows x features fitted (400 MB of float64)
MAX_TEXT_FEATURES = 200_000
MAX_TEXT_CHARS = 10_000  # of each text: a baseline reads the start of a long document
MAX_TOTAL_CHARS = 20_000_000  # text fitted in all: ~20 s to vectorise and fit on 2 busy cores
MIN_DF_ROWS = 1_000  # from this many training texts on, a word must occur in two of them
MAX_CATEGORIES = 1_000  # one-hot columns per categorical column (rarer values pool)
NUMERIC_SHARE = 0.95  # a text column whose present values are this numeric is a number
TEXT_C, OTHER_C, RIDGE_ALPHA = 4.0, 1.0, 1.0
MAX_ITER = 1_000
PREDICT_CHUNK = 4_096  # test rows encoded and scored at a time
SEED = 0
# BLAS threads while fitting. OpenBLAS threads spin while they wait: beside a training run
# (or on a busy machine) two threads made a 0.2 s fit of the digits take 4-6 s.
BLAS_THREADS = 1

Cancelled = Callable[[], bool]


class BaselineCancelled(LoadCancelled):
    """Raised when ``cancelled()`` returned True between the baseline's steps. A subclass of
    the tables' :class:`LoadCancelled`, so code that stops on a cancelled load stops here
    too."""


@dataclass(frozen=True)
class LinearFit:
    """A fitted linear baseline's outputs on the test rows: ``(rows, classes)``
    probabilities in ``class_names`` order, or predicted values."""

    name: str
    outputs: np.ndarray


NAMES = {
    ("text", "classification"): "TF-IDF word n-grams + logistic regression",
    ("text", "regression"): "TF-IDF word n-grams + ridge regression",
    ("tabular", "classification"): "logistic regression on standardised and one-hot features",
    ("tabular", "regression"): "ridge regression on standardised and one-hot features",
    ("images", "classification"): "logistic regression on downsampled pixels",
    ("images", "regression"): "ridge regression on downsampled pixels",
    ("npz", "classification"): "logistic regression on the flattened arrays",
    ("npz", "regression"): "ridge regression on the flattened arrays",
    ("audio", "classification"): "logistic regression on each mel band's mean and spread",
}


def fit_linear(
    kind: str,
    task: str,
    train_x: Any,
    train_y: np.ndarray,
    test_x: Any,
    n_classes: int,
    cancelled: Cancelled | None = None,
) -> LinearFit:
    """Fit the kind's features and linear model on (a bounded sample of) the training rows
    and answer for every test row. Class labels are indices below ``n_classes``; a class
    missing from the training rows gets probability 0, and a single training class is
    always predicted."""
    if (kind, task) not in NAMES:
        raise ValueError(f"no linear baseline for {kind!r} data and a {task!r} task")
    name = NAMES[kind, task]
    classify = task == "classification"
    train_y = np.asarray(train_y)
    n_test = _length(test_x)
    if _length(train_x) != len(train_y):
        raise ValueError("train_x and train_y must have one entry per row")
    if len(train_y) == 0:
        raise ValueError("the linear baseline needs at least one training row")
    if classify:
        train_y = train_y.astype(np.int64)
        if train_y.min() < 0 or train_y.max() >= n_classes:
            raise ValueError(f"class labels must lie in 0..{n_classes - 1}")
        present = np.unique(train_y)
        if len(present) == 1:  # nothing to separate: the one class, with certainty
            proba = np.zeros((n_test, n_classes))
            proba[:, present[0]] = 1.0
            return LinearFit(name, proba)
    else:
        train_y = train_y.astype(np.float64).reshape(-1)
        known = np.flatnonzero(np.isfinite(train_y))  # a missing target teaches nothing
        if len(known) == 0:
            raise ValueError("the linear baseline needs at least one finite training target")
        if len(known) < len(train_y):
            train_x, train_y = _take(train_x, known), train_y[known]

    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=BLAS_THREADS):
        return _fit(kind, task, name, train_x, train_y, test_x, n_test, n_classes, cancelled)


def _fit(
    kind: str,
    task: str,
    name: str,
    train_x: Any,
    train_y: np.ndarray,
    test_x: Any,
    n_test: int,
    n_classes: int,
    cancelled: Cancelled | None,
) -> LinearFit:
    classify = task == "classification"
    _check(cancelled)
    keep = _sample(len(train_y), _row_limit(kind, train_x))
    train_x, train_y = _take(train_x, keep), train_y[keep]
    features, train_m = _features(kind, train_x, len(train_y))
    _check(cancelled)
    model = _model(kind, classify)
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a bounded fit is still a baseline
        model.fit(train_m, train_y)
    _check(cancelled)
    if n_test == 0:
        return LinearFit(name, np.zeros((0, n_classes)) if classify else np.zeros(0))
    out = np.zeros(n_test) if not classify else np.zeros((n_test, n_classes))
    for start in range(0, n_test, PREDICT_CHUNK):
        # In chunks: encoding and scoring 100,000 rows at once holds the GIL in scipy's
        # sparse code for seconds, and the window's thread would stall that long.
        _check(cancelled)
        part = np.arange(start, min(start + PREDICT_CHUNK, n_test))
        test_m = features.transform(features.prepare(_take(test_x, part)))
        if classify:
            out[start : start + len(part), model.classes_] = model.predict_proba(test_m)
        else:
            out[start : start + len(part)] = model.predict(test_m)
        time.sleep(0)  # let other threads have the GIL between chunks
    return LinearFit(name, out)


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise BaselineCancelled("linear baseline cancelled")


def _length(x: Any) -> int:
    return x.shape[0] if hasattr(x, "shape") else len(x)


def _row_limit(kind: str, train_x: Any) -> int:
    """The most training rows fitted: fewer when rows are wide (arrays) or long (text)."""
    if kind in ("images", "npz", "audio"):
        width = int(np.prod(np.shape(train_x)[1:])) or 1
        return max(1, min(MAX_TRAIN_ROWS, MAX_ARRAY_CELLS // width))
    if kind == "text":
        chars = sum(min(len(v), MAX_TEXT_CHARS) for v in train_x if isinstance(v, str))
        mean = max(chars / max(len(train_x), 1), 1.0)
        return max(1_000, min(MAX_TRAIN_ROWS, int(MAX_TOTAL_CHARS / mean)))
    return MAX_TRAIN_ROWS


def _sample(n: int, limit: int) -> np.ndarray:
    """At most ``limit`` row positions, the same ones every time, in their original order."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(SEED).choice(n, size=limit, replace=False))


def _take(x: Any, keep: np.ndarray) -> Any:
    if isinstance(x, pd.DataFrame):
        return x.iloc[keep]
    if isinstance(x, np.ndarray):
        return x[keep]
    return [x[int(i)] for i in keep]


# -- features ------------------------------------------------------------------------------


class _Features:
    """Fitted on the training rows; turns any rows of the same kind into a model's input:
    ``prepare`` cleans the caller's rows, then ``fit_transform``/``transform`` encode them."""

    def prepare(self, x: Any) -> Any:
        raise NotImplementedError

    def fit_transform(self, x: Any) -> Any:
        raise NotImplementedError

    def transform(self, x: Any) -> Any:
        raise NotImplementedError


def _features(kind: str, train_x: Any, n: int) -> tuple[_Features, Any]:
    if kind == "text":
        features: _Features = _TextFeatures(n)
    elif kind == "tabular":
        features = _TableFeatures(train_x)
    else:
        features = _ArrayFeatures()
    return features, features.fit_transform(features.prepare(train_x))


def _texts(x: Any) -> list[str]:
    """Strings cut to their first ``MAX_TEXT_CHARS``, missing values (None, NaN, pandas'
    NA) as empty text."""
    return [
        "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)[:MAX_TEXT_CHARS]
        for v in x
    ]


def _array(x: Any) -> np.ndarray:
    """Rows flattened to float32, NaN and infinities as 0."""
    a = np.asarray(x, dtype=np.float32)
    a = a.reshape(len(a), -1) if a.ndim != 2 else a
    return np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)


class _TextFeatures(_Features):
    def __init__(self, n: int) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(
            lowercase=True,
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=2 if n >= MIN_DF_ROWS else 1,
            max_features=MAX_TEXT_FEATURES,
            dtype=np.float32,
        )
        self.empty = False

    def prepare(self, x: Any) -> list[str]:
        return _texts(x)

    def fit_transform(self, texts: list[str]) -> Any:
        try:
            return self.vectorizer.fit_transform(texts)
        except ValueError:  # "empty vocabulary": no word in any text; answer the prior
            self.empty = True
            return self.transform(texts)

    def transform(self, texts: list[str]) -> Any:
        if self.empty:
            from scipy import sparse

            return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
        return self.vectorizer.transform(texts)


class _ArrayFeatures(_Features):
    def __init__(self) -> None:
        from sklearn.preprocessing import StandardScaler

        self.scaler = StandardScaler()

    def prepare(self, x: Any) -> np.ndarray:
        return _array(x)

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        return self.scaler.fit_transform(x)

    def transform(self, x: np.ndarray) -> np.ndarray:
        return self.scaler.transform(x)


class _TableFeatures(_Features):
    """Decides each column's treatment on the training rows, then applies it to any rows:
    numbers (including numbers stored as text, booleans, dates) are imputed by the median
    and standardised; anything else is one-hot encoded with missing values as one more
    category; a column with no value in the training rows is left out."""

    def __init__(self, train: pd.DataFrame) -> None:
        self.numeric: list[str] = []
        self.categorical: list[str] = []
        self.columns = [str(c) for c in train.columns]
        for label, column in zip(self.columns, train.columns, strict=True):
            values = _as_number(train[column])
            if values is not None:
                if values.notna().any():
                    self.numeric.append(label)
            elif train[column].notna().any():
                self.categorical.append(label)
        self.transformer = self._transformer(len(train))

    def _transformer(self, n: int) -> Any:
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        parts: list[tuple[str, Any, list[str]]] = []
        if self.numeric:
            numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
            parts.append(("numbers", numbers, self.numeric))
        if self.categorical:
            onehot = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                min_frequency=2 if n >= MIN_DF_ROWS else None,
                max_categories=MAX_CATEGORIES,
            )
            parts.append(("categories", onehot, self.categorical))
        if not parts:  # nothing usable: one constant column, so the model learns the prior
            return None
        return ColumnTransformer(parts, sparse_threshold=1.0)

    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The used columns, numbers as float64 (NaN where missing or not a number) and
        categories as strings ("" where missing)."""
        frame = frame.rename(columns=str)
        out = {}
        for label in self.numeric:
            values = _as_number(frame[label])
            if values is None:  # numbers in training, text here: keep what parses
                values = pd.to_numeric(frame[label].astype("string"), errors="coerce")
            out[label] = values.astype(np.float64).replace([np.inf, -np.inf], np.nan)
        for label in self.categorical:
            column = frame[label].astype("object")
            out[label] = column.where(column.notna(), "").astype(str)
        return pd.DataFrame(out, index=frame.index, columns=self.numeric + self.categorical)

    def fit_transform(self, frame: pd.DataFrame) -> Any:
        if self.transformer is None:
            return np.zeros((len(frame), 1))
        return self.transformer.fit_transform(frame)

    def transform(self, frame: pd.DataFrame) -> Any:
        if self.transformer is None:
            return np.zeros((len(frame), 1))
        return self.transformer.transform(frame)


def _as_number(column: pd.Series) -> pd.Series | None:
    """The column as float64 when it holds numbers (or booleans, dates, or text that is
    almost always a number); None when it holds categories."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return pd.to_numeric(column, errors="coerce").astype(np.float64)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = pd.to_datetime(column, errors="coerce", utc=True)
        seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        return seconds.astype(np.float64)
    if pd.api.types.is_timedelta64_dtype(dtype):
        return column.dt.total_seconds().astype(np.float64)
    if isinstance(dtype, pd.CategoricalDtype):
        return None
    present = column.dropna()
    if present.empty:
        return None
    parsed = pd.to_numeric(present.astype("string").str.strip(), errors="coerce")
    if parsed.notna().mean() < NUMERIC_SHARE:
        return None
    return pd.to_numeric(column.astype("string").str.strip(), errors="coerce").astype(np.float64)


def _model(kind: str, classify: bool) -> Any:
    from sklearn.linear_model import LogisticRegression, Ridge

    if not classify:
        return Ridge(alpha=RIDGE_ALPHA)
    return LogisticRegression(
        C=TEXT_C if kind == "text" else OTHER_C,
        solver="lbfgs",
        max_iter=MAX_ITER,
        random_state=SEED,
    )
