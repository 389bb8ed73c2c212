"""Knowledge distillation with Keras 3's ``keras.distillation``: a small MLP student learns from the labels and
from the teacher's softened outputs; the same student trained on the labels alone, with the same epochs,
batch size, optimizer and seed, is the comparison.

Our models end in a softmax, and ``LogitsDistillation`` divides *logits* by the temperature, so the teacher is
wrapped to output its logits (its last Dense layer copied without the softmax) and the student is trained on
logits; the served student gets the softmax back as a final layer. The KL loss is passed as a
``keras.losses.KLDivergence()`` instance: given as the string default, Keras 3.15 compares logits, not
probabilities, and the student learns next to nothing (28 % on digits with the teacher's loss alone).
Keras is imported by the functions that need it, not by importing this module.
"""

from __future__ import annotations

from core.models.keras_import import import_keras


class _LazyKeras:
    """``keras`` for this module, imported at first use (so importing the module leaves TensorFlow unloaded)."""

    def __getattr__(self, name: str):
        return getattr(import_keras(), name)


keras = _LazyKeras()


def _teacher_logits(teacher):
    """The teacher up to its last Dense layer, whose copy outputs logits instead of probabilities."""
    last = teacher.layers[-1]
    head = keras.layers.Dense(last.units, activation=None, dtype="float32", name="teacher_logits")
    logits = keras.Sequential([keras.Input(shape=teacher.input_shape[1:]), *teacher.layers[:-1], head])
    head.set_weights(last.get_weights())
    logits.trainable = False
    return logits


def student_model(n_features: int, n_classes: int, units: int, *, seed: int):
    """Flatten → Dense(units, relu) → Dense(n_classes) logits."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(n_features,)),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(n_classes, name="logits"),
        ],
        name=f"student_{units}",
    )


def with_softmax(student):
    """The student as the lab serves models: probabilities out."""
    return keras.Sequential([keras.Input(shape=student.input_shape[1:]), *student.layers, keras.layers.Softmax()])


def _loss():
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def distill(
    teacher,
    X,
    y,
    *,
    units: int,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    temperature: float,
    alpha: float,
    seed: int,
):
    """A student of ``units`` hidden units distilled from ``teacher``; returns it with a softmax on top."""
    student = student_model(X.shape[1], teacher.output_shape[-1], units, seed=seed)
    distiller = _distiller(teacher, student, temperature=temperature, alpha=alpha, learning_rate=learning_rate)
    keras.utils.set_random_seed(seed)  # the same batch order as the student alone
    distiller.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0, shuffle=True)
    return with_softmax(distiller.student)


def _distiller(teacher, student, *, temperature: float, alpha: float, learning_rate: float):
    """Keras's Distiller, compiled: loss = alpha·CE(labels, s) + (1 − alpha)·T²·KL(softmax(t/T) ‖ softmax(s/T)).

    ``LogitsDistillation`` applies the T² factor (Hinton et al. 2015) itself when its loss is a KLDivergence
    instance, so the soft term's gradients keep their size as T grows; the teacher runs with training=False.
    """
    return _compiled(
        keras.distillation.Distiller(
            teacher=_teacher_logits(teacher),
            student=student,
            # An explicit KLDivergence instance: the default loss="kl_divergence" resolves to the plain function,
            # which LogitsDistillation (Keras 3.15) applies to the scaled logits instead of their softmax, and
            # without the T² factor.
            distillation_losses=keras.distillation.LogitsDistillation(
                temperature=temperature, loss=keras.losses.KLDivergence()
            ),
            student_loss_weight=alpha,
        ),
        learning_rate,
    )


def _compiled(model, learning_rate: float):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss=_loss())
    return model


def train_alone(n_classes: int, X, y, *, units: int, epochs: int, batch_size: int, learning_rate: float, seed: int):
    """The same student trained on the labels only, with the same budget."""
    student = _compiled(student_model(X.shape[1], n_classes, units, seed=seed), learning_rate)
    keras.utils.set_random_seed(seed)  # the same batch order as the distilled student
    student.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0, shuffle=True)
    return with_softmax(student)
