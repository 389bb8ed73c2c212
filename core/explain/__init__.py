"""Explaining a trained model: why it decides what it does, what interpretability costs, whether it is fair.

A :class:`~core.records.result.RunResult` keeps configs and predictions, not the model, so an explanation first
refits the model from the run's configs (same seeds, so the same model for the NumPy network and the
scikit-learn families) with :func:`refit`, then asks one of the modules here:

- ``importance``: permutation importance and SHAP values (global), a per-pixel map per class for images;
- ``local``: one prediction (probabilities, contributions, what-if), saliency / integrated gradients, occlusion;
- ``inside``: first-layer weights as images, CNN feature maps, activation histograms and dead ReLUs;
- ``boundary``: decision-boundary grids for 2-D data and per-epoch snapshots while a network trains;
- ``fairness``: per-group metrics with fairlearn's MetricFrame, parity differences, per-group thresholds;
- ``article_case``: the article's 2-3-1 sigmoid network, its written backprop against the correct one;
- ``interpretable``: a decision tree's rules and logistic-regression coefficients beside the best black box.

Nothing here imports Streamlit; SHAP, fairlearn and TensorFlow are imported only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.config import DataConfig, ModelConfig
from core.data.prepare import PreparedData, prepare
from core.models.base import Model
from core.training.trainer import fit_model


@dataclass(frozen=True)
class Fitted:
    """A model refitted from a run's configs, with the data it was fitted on."""

    model: Model
    data: PreparedData
    data_config: DataConfig
    model_config: ModelConfig


def refit(data_cfg: DataConfig, model_cfg: ModelConfig, *, prepared: PreparedData | None = None) -> Fitted:
    """Prepare the data and fit ``model_cfg`` on its training split (validation scored each epoch)."""
    model_cfg.validate()
    data = prepared if prepared is not None else prepare(data_cfg)
    return Fitted(fit_model(data, model_cfg), data, data_cfg, model_cfg)


__all__ = ["Fitted", "refit"]
