"""The Data page's charts: contrasting class colours for the 2-D toys, one sample-image strip per class."""

import numpy as np

from core import charts


def test_scatter_2d_gives_classes_contrasting_colours():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    spec = charts.scatter_2d(X, np.array([0, 1, 0]), ("0", "1")).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert scale["scheme"] == "tableau10" and scale["domain"] == ["0", "1"]


def test_image_rows_are_one_strip_per_class_enlarged_pixel_by_pixel():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 16, size=(30, 64))
    y = np.arange(30) % 3
    strips = charts.image_rows(X, y, (8, 8), 3, per_class=4)
    grid = charts.image_grid(X, y, (8, 8), 3, per_class=4)
    assert len(strips) == 3 and all(s.dtype == np.uint8 for s in strips)
    # 8×8 images enlarged 5× pixel by pixel, never blurred; no separator after the last one
    assert strips[1].shape == (8 * 5, (grid.shape[1] - 1) * 5)
    np.testing.assert_allclose(strips[1][::5, ::5] / 255, grid[9:17, :-1], atol=1 / 255)  # the row of class 1
    assert (strips[1][:5, :5] == strips[1][0, 0]).all()  # one source pixel is a 5×5 block of one value
