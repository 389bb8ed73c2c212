"""The Explain page's views, one function each, all taking the :class:`Subject` being explained.

Every view is plain Streamlit over ``core.explain``; results that take time are kept per run and setting in
the session (``remembered``), with the seconds they took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core import CoreError, DataConfig, RunResult
from core.data.prepare import PreparedData
from core.evaluation.tiles import model_title
from core.explain import Fitted, article_case, fairness, importance, inside, interpretable, local
from core.explain.boundary import Grid, boundary, train_with_boundary
from core.models.base import Model
from ui import cached
from ui import explain_charts as charts
from ui.boundary import boundary_chart, live_boundary
from ui.text import plain


@dataclass(frozen=True)
class Subject:
    """The run on show, its refitted model and what the views need to know about its data."""

    run: RunResult
    fit: Fitted
    kind: str  # the dataset's kind: "image", "tabular" or "toy2d"
    pick: int  # its index in the page's run list (keys widgets that belong to one run)
    session_runs: tuple[RunResult, ...]  # this session's runs, for the price chart

    @property
    def model(self) -> Model:
        return self.fit.model

    @property
    def data(self) -> PreparedData:
        return self.fit.data

    @property
    def names(self) -> list[str]:
        return list(self.fit.data.class_names)

    @property
    def key(self) -> tuple:
        return (self.run.data_config, self.run.model_config)


def remembered(key: tuple, compute: Callable[[], Any]) -> tuple[Any, float]:
    """Explanations computed once per run and setting, kept for the session: (value, seconds taken)."""
    store = st.session_state.setdefault("explain_cache", {})
    if key not in store:
        started = time.perf_counter()
        store[key] = (compute(), time.perf_counter() - started)
    return store[key]


def importance_view(s: Subject) -> None:
    """Permutation or SHAP importance, with ± bands and a strip of SHAP values; per-pixel maps for images."""
    model, data, names = s.model, s.data, s.names
    c1, c2, c3 = st.columns(3)
    method = c1.radio("Method", ["permutation", "shap"], horizontal=True, key="explain_method")
    repeats = c2.slider("Permutation repeats", 1, 20, 5, key="explain_repeats")
    shap_rows = c3.slider("SHAP rows (cost grows with rows)", 10, 500, 50, 10, key="explain_shap_rows")
    key = (s.key, method, repeats if method == "permutation" else shap_rows)
    cache = st.session_state.setdefault("explain_cache", {})
    if method == "shap" and key not in cache:
        with st.spinner("Timing SHAP on two rows…"):
            rate, _ = remembered(
                (s.key, "shap_rate"),
                lambda: importance.shap_seconds_per_row(model, data.X_val, background=data.X_train),
            )
        rows = min(shap_rows, len(data.y_val))
        st.caption(f"Estimate: about {rate * rows:.1f} s for {rows} rows ({rate * 1000:.0f} ms a row, timed on two).")
    if key not in cache and st.button("Compute importance", key="explain_importance"):
        bar = st.progress(0.0, text="Starting…")

        def progress(done: int, total: int, seconds: float) -> None:
            eta = seconds / done * (total - done)
            bar.progress(done / total, text=f"{done}/{total} rows, {seconds:.1f} s, about {eta:.0f} s left")

        try:
            if method == "permutation":
                remembered(
                    key,
                    lambda: importance.permutation(
                        model, data.X_val, data.y_val, data.feature_names, n_repeats=repeats
                    ),
                )
            else:
                remembered(
                    key,
                    lambda: importance.shap_importance(
                        model,
                        data.X_val,
                        data.feature_names,
                        background=data.X_train,
                        n_rows=shap_rows,
                        on_progress=progress,
                    ),
                )
        except CoreError as err:
            st.error(plain(str(err)))
        bar.empty()
    if key in cache:
        imp, seconds = cache[key]
        how = f" ({imp.explainer} explainer)" if imp.explainer else f" ({repeats} shuffles per feature)"
        st.caption(f"{imp.method} on {imp.n_rows} validation rows took {seconds:.2f} s{how}.")
        charts.show(st, charts.importance_bars(imp))
        if imp.values is not None:
            charts.show(st, charts.shap_strip(imp))
    if data.image_shape is not None and st.toggle("Per-pixel importance per class (occlusion)", key="explain_pixels"):
        maps, seconds = remembered(
            (s.key, "pixels"),
            lambda: importance.pixel_importance(
                model, data.X_val, data.y_val, data.image_shape, patch=1 if data.image_shape[0] <= 8 else 4
            ),
        )
        st.image([charts.to_image(m) for m in maps], caption=names, width=90)
        st.caption(f"Probability of the true class lost when a patch is set to the mean image ({seconds:.1f} s).")


def prediction_view(s: Subject) -> None:
    """One row: probabilities, top contributions and a what-if editor (tables), saliency (images)."""
    run, model, data, names = s.run, s.model, s.data, s.names
    wrong = np.flatnonzero(model.predict(data.X_val) != data.y_val)
    only_wrong = st.toggle(f"Only misclassified rows ({len(wrong)})", key="explain_wrong", disabled=not len(wrong))
    pool = wrong if only_wrong and len(wrong) else np.arange(len(data.y_val))
    pos = st.number_input("Row", 0, len(pool) - 1, 0, key="explain_row")
    row_index = int(pool[pos])
    x = data.X_val[row_index]
    if data.image_shape is None:
        base = local.explain_row(model, x, background=data.X_train, feature_names=data.feature_names)
        top = [c.feature for c in base.contributions[:6]]
        units, _ = remembered((run.data_config, "units"), lambda: local.feature_units(run.data_config))
        raw = units.to_raw(x)
        st.caption("What-if: edit the values (in the data's own units) and watch the prediction move.")
        edited = st.data_editor(
            pd.DataFrame([{f: round(float(raw[data.feature_names.index(f)]), 4) for f in top}]),
            key=f"explain_whatif_{s.pick}_{row_index}",  # edits belong to this row of this run
            hide_index=True,
        )
        for name, value in edited.iloc[0].items():
            raw[data.feature_names.index(name)] = float(value)
        x = units.to_scaled(raw)
    row = local.explain_row(model, x, background=data.X_train, feature_names=data.feature_names)
    st.markdown(f"True class **{plain(names[data.y_val[row_index]])}**, predicted **{plain(names[row.predicted])}**.")
    c1, c2 = st.columns(2)
    charts.show(c1, charts.proba_bars(row.proba, names))
    if data.image_shape is None:
        charts.show(c2, charts.contribution_bars(row, names[row.predicted]))
    else:
        heat, how = local.saliency(model, x, image_shape=data.image_shape)
        c2.image(
            [
                charts.to_image(x.reshape(data.image_shape)),
                charts.to_image(heat),
                charts.overlay(x.reshape(data.image_shape), heat),
            ],
            caption=["image", how, "overlay"],
            width=130,
        )


def inside_view(s: Subject) -> None:
    """Activation histograms with dead units, first-layer weights as images, a CNN's feature maps."""
    run, model, data = s.run, s.model, s.data
    if not run.model_config.kind.is_network:
        st.info(f"{run.model_config.kind.value} has no layers; pick a network run to look inside.")
    else:
        layers = inside.layer_activations(model, data.X_val[:300])
        charts.show(st, charts.activation_histograms(layers))
        dead = ", ".join(f"{a.name}: {a.dead_units}/{a.n_units}" for a in layers)
        st.caption(f"Dead units (never fire on these rows) — {dead}.")
        if data.image_shape is not None and run.model_config.kind.value != "keras_cnn":
            weights = inside.first_layer_images(model, data.image_shape)
            st.image([charts.to_image(w, symmetric=True) for w in weights], width=70)
            st.caption("First-layer weights into each unit, as images (grey = 0).")
        if run.model_config.kind.value == "keras_cnn":
            for name, maps in inside.feature_maps(model, data.X_val[0]):
                st.image(
                    [charts.to_image(maps[:, :, k]) for k in range(min(16, maps.shape[-1]))], caption=None, width=70
                )
                st.caption(f"{name}: feature maps of the first validation image.")


def boundary_view(s: Subject) -> None:
    """The model's decision boundary on 2-D data, and a replay of its training with the boundary drawn live."""
    run, model, data, names, kind = s.run, s.model, s.data, s.names, s.kind
    if kind != "toy2d":
        st.info("Decision boundaries are drawn for the 2-D datasets (moons, circles, xor, spiral, gaussian).")
    else:
        grid = Grid.around(np.vstack([data.X_train, data.X_val]))
        charts.show(st, boundary_chart(boundary(model, grid), data.X_val, data.y_val, names))
        if run.model_config.kind.is_network and st.button("Watch it train", key="explain_live"):
            slot = st.empty()
            try:
                train_with_boundary(
                    run.data_config,
                    run.model_config,
                    on_snapshot=lambda s: live_boundary(slot, s, data.X_val, data.y_val, names),
                    every=max(1, run.model_config.epochs // 40),
                )
            except CoreError as err:
                st.error(plain(str(err)))


def price_view(s: Subject) -> None:
    """A decision tree's rules and logistic-regression weights beside the session's best run on the same data."""
    run, data = s.run, s.data
    depth = st.slider("Tree depth", 1, 12, 4, key="explain_depth")
    tree, _ = remembered((run.data_config, "tree", depth), lambda: interpretable.fit_tree(data, depth=depth))
    lr, _ = remembered((run.data_config, "lr"), lambda: interpretable.fit_logistic(data))
    same = [r for r in s.session_runs if r.data_config == run.data_config] or [run]
    best = max(same, key=lambda r: r.validation.accuracy)
    points = charts.price_points(
        [
            {
                "model": model_title(r.model_config),
                "accuracy": r.validation.accuracy,
                "train_time_s": r.cost.train_time_s,
            }
            for r in same
        ],
        [{"model": m.name, "accuracy": m.accuracy, "train_time_s": max(m.train_time_s, 1e-4)} for m in (tree, lr)],
    )
    best_name = model_title(best.model_config)
    st.markdown(plain(interpretable.price_sentence(tree, best_accuracy=best.validation.accuracy, best_name=best_name)))
    charts.show(st, charts.price_chart(points))
    c1, c2 = st.columns(2)
    c1.code(tree.rules if len(tree.rules) < 20_000 else tree.rules[:20_000] + "\n…", language=None)
    c2.dataframe(
        pd.DataFrame(lr.top_coefficients(15), columns=["feature", "coefficient"]), hide_index=True, width="stretch"
    )
    c2.caption(f"Logistic regression: {lr.accuracy:.3f} validation accuracy; weights on the scaled features.")


def fairness_view(s: Subject) -> None:
    """Per-group metrics, parity differences and per-group thresholds for a binary table."""
    run, model, data, names, kind = s.run, s.model, s.data, s.names, s.kind
    groups = None
    if data.n_classes != 2 or kind != "tabular":
        st.info("Fairness by group needs a binary task on a table (a CSV, breast_cancer or synthetic).")
    else:
        columns = fairness.sensitive_columns(data.feature_names)
        c1, c2 = st.columns(2)
        column = c1.selectbox("Sensitive column", columns, key="explain_sensitive")
        bins = c2.slider("Bins for a numeric column", 2, 10, 4, key="explain_bins")
        try:
            groups, note = fairness.sensitive_groups(run.data_config, column, bins=bins)
        except CoreError as err:
            st.error(plain(str(err)))
            groups = None
    if groups is not None:
        p = model.predict_proba(data.X_val)[:, 1]
        thresholds = {}
        cols = st.columns(min(4, len(np.unique(groups))))
        for i, g in enumerate(np.unique(groups)[:12]):
            thresholds[g] = cols[i % len(cols)].slider(
                f"Threshold for {plain(str(g))}", 0.0, 1.0, 0.5, 0.01, key=f"explain_threshold_{i}"
            )
        report = fairness.group_metrics(data.y_val, fairness.apply_thresholds(p, groups, thresholds), groups)
        st.dataframe(
            pd.DataFrame([r.__dict__ for r in (*report.rows, report.overall)]), hide_index=True, width="stretch"
        )
        m1, m2 = st.columns(2)
        m1.metric("Demographic-parity difference", f"{report.demographic_parity_difference:.3f}")
        m2.metric("Equalized-odds difference", f"{report.equalized_odds_difference:.3f}")
        st.caption(plain(note) + f" Positive class: {plain(names[1])}.")
        if report.one_sided_groups:
            st.warning(
                plain(
                    f"Groups {', '.join(report.one_sided_groups)} hold only one true class, so their true- or "
                    "false-positive rate is undefined (counted as 0): read the equalized-odds difference with care."
                )
            )


def article_view(s: Subject) -> None:
    """The article's 2-3-1 sigmoid network: its written backprop against the correct one."""
    data, kind = s.data, s.kind
    st.caption(
        "2 inputs → 3 sigmoid units → 1 sigmoid output, cross-entropy, plain gradient descent (the article's §4.3)."
    )
    c1, c2 = st.columns(2)
    epochs = c1.slider("Epochs", 50, 2000, 500, 50, key="explain_case_epochs")
    rate = c2.select_slider("Learning rate", [0.1, 0.3, 1.0, 2.0, 3.0], 1.0, key="explain_case_lr")
    case_data = data if kind == "toy2d" and data.n_classes == 2 else cached.prepared_data(DataConfig(dataset="moons"))
    case, seconds = remembered(
        ("case", case_data.X_train.shape, epochs, rate),
        lambda: article_case.compare(case_data.X_train, case_data.y_train, epochs=epochs, learning_rate=rate),
    )
    rows = [
        {
            "parameter": p,
            **{
                f"{rule}: rel. error vs finite diff.": case.check.relative_error[rule][p] for rule in article_case.RULES
            },
        }
        for p in article_case.PARAMS
    ]
    fmt = {c: st.column_config.NumberColumn(format="%.1e") for c in rows[0] if c != "parameter"}
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config=fmt)
    charts.show(st, charts.loss_curves({r: run_.loss for r, run_ in case.runs.items()}))
    grid = Grid.around(case_data.X_train, resolution=40)
    b1, b2 = st.columns(2)
    for col, rule in zip((b1, b2), article_case.RULES, strict=True):
        snap = boundary(case.runs[rule], grid)  # type: ignore[arg-type]
        charts.show(
            col,
            boundary_chart(
                snap,
                case_data.X_val,
                case_data.y_val,
                case_data.class_names,
                title=rule,
                height=260,
            ),
        )
        # below, not in the title: a half-width chart's title is cut at the plot's width (800 px: "0.…")
        col.caption(f"{rule}: final accuracy {case.runs[rule].accuracy[-1]:.3f}")
    st.caption(
        "The article drops σ′ in the hidden layer: its first-layer gradients are off by the relative error above "
        f"(the output layer's are right). Computed in {seconds:.2f} s."
    )


VIEWS: dict[str, Callable[[Subject], None]] = {
    "Importance": importance_view,
    "One prediction": prediction_view,
    "Inside": inside_view,
    "Boundary": boundary_view,
    "Price": price_view,
    "Fairness": fairness_view,
    "Article's example": article_view,
}
