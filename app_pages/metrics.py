"""Metrics: move the threshold and the error costs, read calibration, cross-validate, and see the
accuracy paradox in the imbalance lab — on any run of this session, without retraining."""

import uuid

import numpy as np
import pandas as pd
import streamlit as st

from core import CoreError, charts
from core.config import Imbalance, ModelKind
from core.evaluation.cross_validation import CV_METRICS, cross_validate
from core.evaluation.imbalance import imbalance_lab
from core.evaluation.thresholds import (
    calibration,
    confused_pairs,
    cost_optimal_threshold,
    expected_cost_curve,
    operating_curves,
    threshold_metrics,
)
from core.evaluation.tiles import majority_text, run_title
from core.records.keep import save_or_keep
from core.records.unsaved import Unsaved
from ui import cached, results
from ui.jobs import kept_sentence
from ui.state import get_state
from ui.text import plain

CONTROL_PX = 300  # a slider above its button, whole at 800 px
state = get_state()
st.title("Metrics")
st.caption("Accuracy, precision, recall, F1 and ROC/AUC — moved by hand, checked by cross-validation.")
if not state.runs:
    st.info("Train a model on the **Train** page first; its predictions are explored here without retraining.")
    st.stop()

labels = [f"Run {i + 1}: {run_title(r)}" for i, r in enumerate(state.runs)]
index = st.selectbox(
    "Run", range(len(labels)), index=state.current or 0, format_func=labels.__getitem__, key="metrics_run"
)
run = state.runs[index]
pred = run.predictions["validation"]
names = run.dataset["class_names"]
majority = majority_text(run)
st.caption(
    f"Validation split: {len(pred.y_true)} rows · accuracy {run.validation.accuracy:.2%}"
    + (f" · {majority} (always guessing the training split's commonest class)" if majority else "")
)

if len(names) == 2:
    st.subheader("Threshold and error costs")
    left, right = st.columns([1, 2])
    run_positive = run.validation.positive_class  # the one the run's tiles, the CLI and reports use
    if run_positive in names:
        default = names.index(run_positive)
    else:  # a run stored before positive classes were named: the minority, as the run would choose now
        default = int(np.argmin(np.bincount(pred.y_true, minlength=2)))
    if st.session_state.get("metrics_positive_for") != index:  # a new run on show starts from its own class
        st.session_state["metrics_positive"] = names[default]
        st.session_state["metrics_positive_for"] = index
    positive = left.selectbox(
        "Positive class",
        names,
        key="metrics_positive",
        help="The class a 'positive' prediction means, e.g. the disease. Defaults to the run's positive class "
        "(set on the Data page), so these numbers match the Train tiles at threshold 0.5.",
    )
    pos = names.index(positive)
    y = (pred.y_true == pos).astype(int)
    p = pred.proba[:, pos]
    threshold = left.slider(
        "Threshold",
        0.0,
        1.0,
        0.5,
        0.005,  # the cost curve's grid: "Use this threshold" lands exactly on the cheapest point
        format="%.3f",
        key="metrics_threshold",
        help="Predict positive when its probability is at least this.",
    )
    tm = threshold_metrics(y, p, threshold=threshold)
    with right:
        row = st.container(horizontal=True, wrap=True, gap="small")  # wraps rather than cutting values
        for label, value in (
            ("Accuracy", tm.accuracy),
            (f"Precision ({positive})", tm.precision),
            (f"Recall ({positive})", tm.recall),
            ("Specificity", tm.specificity),
            (f"F1 ({positive})", tm.f1),
        ):
            row.metric(label, f"{value:.3f}", width=130, help=majority if label == "Accuracy" else None)
        st.dataframe(
            pd.DataFrame(
                {"predicted negative": [tm.tn, tm.fn], "predicted positive": [tm.fp, tm.tp]},
                index=["actual negative", "actual positive"],
            ),
            width="stretch",
        )
    curves = operating_curves(y, p)
    fpr_now = tm.fp / (tm.fp + tm.tn) if tm.fp + tm.tn else 0.0
    results.chart_row(
        [
            charts.operating_point_chart(
                curves["fpr"],
                curves["tpr"],
                (fpr_now, tm.recall),
                x_title="false-positive rate",
                y_title="true-positive rate",
                title="ROC, current threshold marked",
            ),
            charts.operating_point_chart(
                curves["recall"],
                curves["precision"],
                (tm.recall, tm.precision),
                x_title="recall",
                y_title="precision",
                title="Precision–recall, current threshold",
            ),
        ],
        width_px=420,
    )

    k1, k2, k3 = st.columns([1, 1, 2])
    cost_fp = k1.number_input("Cost of a false positive", 0.0, 1e6, 1.0, key="metrics_cost_fp")
    cost_fn = k2.number_input(
        "Cost of a false negative",
        0.0,
        1e6,
        5.0,
        key="metrics_cost_fn",
        help="E.g. 20 when a missed case costs 20 false alarms.",
    )
    try:
        best = cost_optimal_threshold(y, p, cost_fp=cost_fp, cost_fn=cost_fn)
        grid, cost = expected_cost_curve(y, p, cost_fp=cost_fp, cost_fn=cost_fn)
        _, cost_now = expected_cost_curve(y, p, cost_fp=cost_fp, cost_fn=cost_fn, thresholds=[threshold])
    except CoreError as err:
        st.error(plain(str(err)))
        st.stop()
    k3.markdown(
        f"Lowest expected cost at threshold **{best:.3f}**: "
        f"{cost.min():.1f} per 1,000 predictions (now {cost_now[0]:.1f})."  # at the threshold itself: cost steps
    )

    def use_best() -> None:
        st.session_state["metrics_threshold"] = best  # exactly: rounding can step over a case (0.475 → 0.48)

    k3.button("Use this threshold", key="metrics_use_best", on_click=use_best)
    st.altair_chart(charts.cost_curve_chart(grid, cost, best), width="stretch")
    cal = calibration(y, p)
else:
    st.subheader("Per class")
    ev = run.validation
    normalize = st.toggle("Normalise the confusion matrix by true class", key="metrics_normalize")
    classes = results.curve_classes_ui(ev, key="metrics_curve_classes", label="Classes on the ROC chart")
    results.chart_row(  # side by side at 1440 px, one above the other at 800 px
        [charts.confusion_chart(ev, names, normalize=normalize), charts.curve_chart(ev, "roc", classes)], width_px=420
    )
    st.dataframe(pd.DataFrame(ev.per_class), hide_index=True, width="stretch")
    pairs = confused_pairs(ev.confusion_matrix, names)
    if pairs:
        st.markdown("**Most confused:** " + plain("; ".join(f"{t} taken for {p} ×{n}" for t, p, n in pairs)))
    if run.dataset.get("n_features") and run.data_config.dataset in ("digits", "mnist", "fashion_mnist"):
        data = cached.prepared_data(run.data_config)
        wrong = np.flatnonzero(pred.proba.argmax(axis=1) != pred.y_true)[:8]
        if len(wrong) and data.image_shape is not None:
            st.markdown("**Misclassified examples** (true → predicted)")
            cols = st.columns(len(wrong))
            for col, i in zip(cols, wrong, strict=True):
                img = data.X_val[i].reshape(data.image_shape)
                col.image(
                    (img - img.min()) / (np.ptp(img) or 1),
                    clamp=True,
                    width="stretch",
                    caption=f"{names[pred.y_true[i]]} → {names[pred.proba[i].argmax()]}",
                )
    confidence = pred.proba.max(axis=1)
    cal = calibration((pred.proba.argmax(axis=1) == pred.y_true).astype(int), confidence)
    st.caption("Calibration below: the top class's probability against how often it is right.")

st.subheader("Calibration")
st.altair_chart(charts.reliability_chart(cal.predicted, cal.observed, cal.brier), width="stretch")

st.subheader("Cross-validation")
n_cv_rows = (sum(run.dataset.get("train_counts_before", ())) or run.dataset["n_train"]) + run.dataset["n_val"]
st.caption(
    "Protocol: k-fold stratified cross-validation over this run's "
    f"{n_cv_rows:,} training and validation rows; its {run.dataset['n_test']:,} test rows stay held out. "
    "Each fold's model trains on the other k − 1 folds (n_train rows, imputation and scaling fitted on them "
    "alone) and is scored on its held-out fold (n_val rows); early stopping, when on, carves its own inner "
    "split from n_train. The fold scores below are the ones saved to History."
)
# controls one above the other, not in a quarter column: at 800 px that cut the button to "Run cross-v…"
folds = st.slider("Folds", 2, 10, 5, key="metrics_folds", width=CONTROL_PX)
if st.button("Run cross-validation", key="metrics_cv"):
    bar = st.progress(0.0, text="Fold 1…")
    try:
        cv = cross_validate(
            run.data_config,
            run.model_config,
            folds=folds,
            on_fold=lambda fold, total: bar.progress(fold.fold / total, text=f"Fold {fold.fold}/{total}"),
        )
    except CoreError as err:
        st.error(plain(str(err)))
    else:
        state.cv_results[index] = cv
        group = f"cv-{uuid.uuid4().hex[:12]}"  # History lists the folds under one entry
        folds = [Unsaved(f.result, kind="cv", group=group) for f in cv.folds]
        saved = save_or_keep(cached.run_store()[0], folds, kind="cv")  # refused folds: kept in ONE file
        if saved.store_error:
            kept = kept_sentence(saved.recovery_path, f"The {saved.refused} fold(s) not saved are")
            st.warning(plain(f"Could not save the folds in the run history: {saved.store_error}{kept}"))
cv = state.cv_results.get(index)
if cv is not None:
    if cv.protocol:
        st.caption(cv.protocol)
    table = pd.DataFrame(cv.to_dict()["folds"])
    st.dataframe(table, hide_index=True, width="stretch")
    rows = []
    for key in (*CV_METRICS, "train_time_s"):
        mean, std = cv.mean_std(key)
        single = run.cost.train_time_s if key == "train_time_s" else getattr(run.validation, key)
        rows.append({"metric": key, "mean": mean, "std": std, "single split": single})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("A single split's number sits somewhere in this spread; the std says how far it can mislead.")

st.subheader("Imbalance lab")
st.caption("Synthetic binary data with a rare class: watch accuracy flatter a model that ignores it.")
minority = st.slider("Minority share", 0.01, 0.5, 0.05, 0.01, key="metrics_minority", width=CONTROL_PX)
model = run.model_config if run.model_config.kind in (ModelKind.NUMPY_MLP, ModelKind.LOGISTIC) else None
if st.button("Compare resampling", key="metrics_imbalance"):
    from core.config import ModelConfig

    with st.spinner("Training four models…"):
        state.imbalance = (minority, *imbalance_lab(minority, model or ModelConfig()))
if state.imbalance is not None:
    share, majority, rows = state.imbalance
    df = pd.DataFrame(
        [
            {
                "method": r.method.value,
                "accuracy": r.accuracy,
                "balanced_accuracy": r.balanced_accuracy,
                "minority_recall": r.minority_recall,
                "pr_auc": r.pr_auc,
                "mcc": r.mcc,
                "train_time_s": r.train_time_s,
                "train_rows": r.train_rows,
            }
            for r in rows
        ]
    )
    st.altair_chart(charts.imbalance_chart(df, majority), width="stretch")
    st.dataframe(df, hide_index=True, width="stretch")
    st.caption(
        f"Minority share {share:.0%}. "
        + (
            "Without resampling, accuracy beats balanced accuracy: the accuracy paradox."
            if df.set_index("method").loc[Imbalance.NONE.value, "accuracy"]
            > df.set_index("method").loc[Imbalance.NONE.value, "balanced_accuracy"]
            else ""
        )
    )
