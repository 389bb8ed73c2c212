"""Distillation wiring against a NumPy oracle (small Keras models on digits-sized data, a few seconds each):
the teacher's logits reproduce its probabilities with dropout off; the Distiller's loss is Hinton's
alpha·CE(labels) + (1 − alpha)·T²·KL(softmax(t/T) ‖ softmax(s/T)); and with alpha = 1 the distilled student
is bit-for-bit the student trained alone, so the two start from the same weights and see the same batches.
"""

import numpy as np
import pytest

from core.models.keras_import import import_keras

pytestmark = pytest.mark.slow  # imports TensorFlow


@pytest.fixture(scope="module")
def keras():
    return import_keras()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 12)).astype(np.float32)
    y = (X[:, :3].sum(1) > 0).astype(int) + (X[:, 3] > 0.5).astype(int)  # 3 classes
    return X, y


@pytest.fixture(scope="module")
def teacher(keras, data):
    X, y = data
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((12,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(X, y, epochs=3, batch_size=32, verbose=0)
    return model


def _softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_teacher_logits_give_back_its_probabilities_with_dropout_off(teacher, data):
    from core.compress.distill import _teacher_logits

    X, _ = data
    logits = _teacher_logits(teacher)
    first, again = np.asarray(logits(X, training=False)), np.asarray(logits(X, training=False))
    assert np.array_equal(first, again)  # inference mode: dropout is off, the soft targets are fixed
    assert np.abs(_softmax(first) - np.asarray(teacher(X, training=False))).max() < 1e-6
    assert np.abs(first).max() > 1.0  # logits, not probabilities


@pytest.mark.parametrize(("temperature", "alpha"), [(1.0, 0.5), (4.0, 0.1), (8.0, 0.0)])
def test_distiller_loss_is_hintons_with_the_t_squared_scaling(keras, teacher, data, temperature, alpha):
    from core.compress.distill import _distiller, _teacher_logits, student_model

    X, y = data
    student = student_model(12, 3, 8, seed=0)
    distiller = _distiller(teacher, student, temperature=temperature, alpha=alpha, learning_rate=1e-3)
    got = float(distiller.compute_loss(X, y, student(X), training=True))

    t = np.asarray(_teacher_logits(teacher)(X, training=False), dtype=np.float64)
    s = np.asarray(student(X), dtype=np.float64)
    ce = -np.log(_softmax(s)[np.arange(len(y)), y]).mean()
    pt, ps = _softmax(t / temperature), _softmax(s / temperature)
    kl = (pt * np.log(pt / ps)).sum(1).mean()
    assert got == pytest.approx(alpha * ce + (1 - alpha) * temperature**2 * kl, rel=1e-4)


def test_with_alpha_one_the_distilled_student_is_the_student_alone(teacher, data):
    from core.compress.distill import distill, train_alone

    X, y = data
    budget = dict(units=8, epochs=2, batch_size=32, learning_rate=1e-2, seed=3)
    taught = distill(teacher, X, y, temperature=4.0, alpha=1.0, **budget)
    alone = train_alone(3, X, y, **budget)
    for a, b in zip(taught.get_weights(), alone.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # and the teacher does move the student when it is given weight
    other = distill(teacher, X, y, temperature=4.0, alpha=0.1, **budget)
    assert not np.array_equal(other.get_weights()[0], alone.get_weights()[0])
