"""A trainable text classifier that learns a CRM's own categories from labelled history.

Native C++ (no ML stack at run time): hashed character n-grams for Chinese, words, word
bigrams and character n-grams for Latin script, after the rule engine's normalisation;
a one-vs-rest linear SVM trained by a seeded, deterministic optimiser; probabilities
calibrated on held-out folds. Names follow scikit-learn where they can.

>>> import complaintkit as ck
>>> m = ck.TextModel.train(["快递丢件了", "快递送错地址", "屏幕碎了", "屏幕坏了"],
...                        ["logistics", "logistics", "quality", "quality"], min_df=1)
>>> m.predict(["快遞丟件"])
['logistics']
"""

import os

from . import _complaintkit as _core

__all__ = ["TextModel"]


def _as_list(texts):
    if isinstance(texts, (str, bytes)):
        raise TypeError("expected a list of texts, got a single text (use predict_one)")
    if hasattr(texts, "tolist"):  # numpy arrays, pandas Series
        return texts.tolist()
    return list(texts)


class TextModel:
    """A trained (or, via ``fit``, trainable) text classifier.

    Options (keyword arguments of ``train`` / the constructor) are those of the C++
    ``TextModelOptions``: ``c``, ``class_weight`` ("balanced" / "none"), ``min_df``,
    ``seed``, ``word_ngram_max``, ``latin_char_min``/``latin_char_max``,
    ``cjk_char_min``/``cjk_char_max``, ``sublinear_tf``, ``use_idf``, ``max_epochs``,
    ``tolerance``, ``calibration_folds``, ``prune``, ``threads``.

    A trained model is immutable and may be shared by threads; native work runs with the
    GIL released.
    """

    def __init__(self, **options):
        self._options = dict(options)
        self._native = None

    # ------------------------------------------------------------------ training
    @classmethod
    def train(cls, texts, labels, **options):
        """Trains on parallel sequences of texts (str / bytes; None or NaN = empty) and labels."""
        m = cls(**options)
        m._native = _core._TextModel._train(_as_list(texts), _as_list(labels), m._options)
        return m

    def fit(self, X, y):
        """scikit-learn style: trains in place and returns self."""
        self._native = _core._TextModel._train(_as_list(X), _as_list(y), self._options)
        return self

    @classmethod
    def train_frame(cls, frame, text="text", label="label", **options):
        """Trains on a pandas DataFrame; ``text`` may be a list of columns (joined by newlines)."""
        texts = cls._frame_texts(frame, text)
        return cls.train(texts, frame[label].tolist(), **options)

    @classmethod
    def train_jsonl(cls, path_or_text, text="text", label="label", **options):
        """Trains on labelled JSON Lines (a path, or bytes / text containing newlines); ``text`` and
        ``label`` are member names or JSON pointers ("/facets/category"), ``text`` may be "title,text"."""
        texts, labels = cls._read_jsonl(path_or_text, text, label)
        return cls.train(texts, labels, **options)

    @classmethod
    def train_csv(cls, path_or_bytes, text="text", label="label", **options):
        """Trains on a CSV file with a header row (RFC 4180); ``text`` is a column name or a list
        of them (joined by newlines); rows with an empty label are skipped."""
        data = path_or_bytes if isinstance(path_or_bytes, bytes) else open(os.fspath(path_or_bytes), "rb").read()
        cols = [text] if isinstance(text, str) else list(text)
        texts, labels = _core._TextModel._read_csv(data, cols, label)
        return cls.train(texts, labels, **options)

    @classmethod
    def train_complaints(cls, complaints, facet="category", **options):
        """Trains on complaints (e.g. from the archive) to predict one of their facets
        ("category", "sub_cause", …); complaints whose facet is unknown are skipped."""
        texts, labels = _core._TextModel._from_complaints(list(complaints), facet)
        return cls.train(texts, labels, **options)

    @staticmethod
    def cross_validate(texts, labels, folds=5, **options):
        """Stratified k-fold cross-validation (seeded by ``seed``). Returns a dict with
        ``accuracy``, ``macro_f1``, ``classes``, per-class ``precision``/``recall``/``f1``/
        ``support``, ``confusion`` ([true][predicted]), ``fold_accuracy`` and timings."""
        return _core._TextModel._cross_validate(_as_list(texts), _as_list(labels), int(folds), dict(options))

    # ------------------------------------------------------------------ prediction
    @property
    def _model(self):
        if self._native is None:
            raise RuntimeError("this TextModel is not trained yet: call fit() or TextModel.train()")
        return self._native

    @property
    def classes_(self):
        """Class labels, sorted (the columns of predict_proba)."""
        return list(self._model.classes)

    def predict(self, texts, threads=0):
        """Best label for each text (list of str)."""
        cls, _ = self._model._predict(_as_list(texts), threads)
        classes = self._model.classes
        return [classes[i] for i in cls]

    def predict_one(self, text):
        """(label, probability) of one text (str / bytes; None or NaN = empty)."""
        cls, prob = self._model._predict_one(text)
        return self._model.classes[int(cls)], float(prob)

    def predict_proba(self, texts, threads=0):
        """numpy array (n_texts, n_classes) of calibrated probabilities, columns in classes_ order."""
        return self._model._predict_proba(_as_list(texts), threads)

    def decision_function(self, text):
        """Raw per-class scores of one text."""
        return self._model.decision_function(text)

    def top_k(self, text, k=3):
        """[(label, probability), ...] best first."""
        return [(label, p) for label, p, _ in self._model._explain(text, k, 0)["top"]]

    def explain(self, text, k=3, features=10):
        """{"top": [(label, probability, score)], "features": [(feature, weight)], "bias": float}:
        the features that contributed most to the best class ("w:word", "w:a|b" bigram,
        "c:<abc" character n-gram, "h:快递" CJK n-gram)."""
        return self._model._explain(text, k, features)

    def predict_frame(self, frame, text="text", proba=False):
        """DataFrame with columns ``label`` and ``probability`` (and one per class if proba)."""
        import pandas as pd
        texts = self._frame_texts(frame, text)
        cls, prob = self._model._predict(texts, 0)
        classes = self._model.classes
        out = pd.DataFrame({"label": [classes[i] for i in cls], "probability": prob}, index=frame.index)
        if proba:
            p = self._model._predict_proba(texts, 0)
            for j, c in enumerate(classes):
                out[c] = p[:, j]
        return out

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        """Writes the model file (versioned, checksummed)."""
        self._model.save(os.fspath(path))

    @classmethod
    def load(cls, path):
        """Loads a model file; corrupt, foreign or other-version files raise complaintkit errors."""
        m = cls()
        m._native = _core._TextModel.load(os.fspath(path))
        m._options = m._native.options
        return m

    def to_bytes(self):
        return self._model.to_bytes()

    @classmethod
    def from_bytes(cls, data):
        m = cls()
        m._native = _core._TextModel.from_bytes(bytes(data))
        m._options = m._native.options
        return m

    # ------------------------------------------------------------------ introspection
    @property
    def temperature(self):
        return self._model.temperature

    @property
    def feature_count(self):
        return self._model.feature_count

    @property
    def memory_bytes(self):
        return self._model.memory_bytes

    def get_params(self, deep=True):
        return dict(self._native.options if self._native is not None else self._options)

    def __repr__(self):
        if self._native is None:
            return f"TextModel(untrained, {self._options})"
        return (f"<TextModel {len(self._native.classes)} classes, {self._native.feature_count} features, "
                f"T={self._native.temperature:.3f}>")

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _frame_texts(frame, text):
        if isinstance(text, (list, tuple)):
            cols = [frame[c].fillna("").astype(str) for c in text]
            joined = cols[0]
            for c in cols[1:]:
                joined = joined.str.cat(c, sep="\n")
            return joined.str.strip("\n").tolist()
        return frame[text].tolist()

    @staticmethod
    def _read_jsonl(path_or_text, text, label):
        if isinstance(path_or_text, bytes):
            data = path_or_text
        elif isinstance(path_or_text, str) and "\n" in path_or_text:
            data = path_or_text.encode("utf-8", "surrogatepass")
        else:
            with open(os.fspath(path_or_text), "rb") as f:
                data = f.read()
        return _core._TextModel._read_jsonl(data, text, label)
