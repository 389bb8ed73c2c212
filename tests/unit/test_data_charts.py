"""The Data page's charts: contrasting class colours for the 2-D toys, sample-image rows titled by class."""

import base64
import io

import numpy as np
from PIL import Image

from core import charts


def test_scatter_2d_gives_classes_contrasting_colours():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    spec = charts.scatter_2d(X, np.array([0, 1, 0]), ("0", "1")).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert scale["scheme"] == "tableau10" and scale["domain"] == ["0", "1"]


def test_image_rows_are_titled_with_their_class_names():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 16, size=(30, 64))
    y = np.arange(30) % 3
    spec = charts.image_rows_chart(X, y, (8, 8), ("zero", "one", "two"), per_class=4).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["class"] for r in rows] == ["zero", "one", "two"]
    assert spec["encoding"]["y"]["sort"] == ["zero", "one", "two"]
    png = Image.open(io.BytesIO(base64.b64decode(rows[1]["url"].split(",", 1)[1])))
    grid = charts.image_grid(X, y, (8, 8), 3, per_class=4)
    assert png.size == (grid.shape[1] * 5, 8 * 5)  # 8×8 images enlarged 5× pixel by pixel, never blurred
    strip = np.asarray(png)[::5, ::5] / 255
    np.testing.assert_allclose(strip, grid[9:17], atol=1 / 255)  # the row of class "one"
