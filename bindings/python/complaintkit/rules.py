"""Rule-based classification: the compiled rule pack and a pandas helper.

>>> import complaintkit as ck
>>> rs = ck.RuleSet.default()
>>> c = rs.classify("店員態度很差，還翻白眼")
>>> c.sub_cause
'poor_attitude'
"""

from . import _complaintkit as _core

RuleSet = _core.RuleSet
Classification = _core.Classification
ClassificationBatch = _core.ClassificationBatch
normalize = _core.normalize
normalize_text = _core.normalize_text

FACETS = ("kind", "category", "subcategory", "cause", "sub_cause", "attribution", "dimension",
          "severity", "personality", "motive")


def classify_frame(df, text="text", rules=None, threads=0, lenient=False, prefix=""):
    """Classify the column `text` of a pandas DataFrame; returns a new DataFrame with the
    same index and one column per facet (codes, None when undecided), plus `tags`,
    `score` and `rules` (ids of the rules that fired). Missing values (NaN/None) are
    classified as empty text. `rules` is a RuleSet (default: RuleSet.default())."""
    import pandas as pd
    rs = rules if rules is not None else RuleSet.default()
    if text not in df.columns:
        raise KeyError(f"no column {text!r} in the DataFrame")
    values = [v if isinstance(v, (str, bytes)) else None for v in df[text].tolist()]
    batch = rs.classify_batch(values, threads=threads, lenient=lenient, evidence="rules")  # no hits needed
    out = pd.DataFrame({prefix + k: batch.facet(k) for k in FACETS}, index=df.index)
    out[prefix + "tags"] = batch.facet("tags")
    out[prefix + "score"] = batch.scores
    out[prefix + "rules"] = batch.rules()
    return out
