from dataclasses import replace

import pytest

from core.config import DataConfig, ModelConfig, ModelKind, Optimizer, Scaling, replace_plain
from core.errors import ConfigError


def test_defaults_validate_and_are_hashable_cache_keys():
    assert ModelConfig().validate() == ModelConfig()
    assert DataConfig().validate() == DataConfig()
    assert hash(ModelConfig()) == hash(ModelConfig())
    assert len({ModelConfig(), replace(ModelConfig(), epochs=3)}) == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("learning_rate", 0.0),
        ("learning_rate", -1.0),
        ("batch_size", 0),
        ("epochs", 0),
        ("dropout", 0.95),
        ("hidden_units", (0,)),
        ("hidden_units", (8, 8, 8, 8, 8)),
        ("k_neighbors", 0),
    ],
)
def test_model_config_errors_name_the_parameter(field, value):
    with pytest.raises(ConfigError, match=field.split("_")[0]):
        replace(ModelConfig(), **{field: value}).validate()


def test_data_config_rejects_splits_that_leave_no_training_rows():
    with pytest.raises(ConfigError, match="val_fraction \\+ test_fraction"):
        DataConfig(val_fraction=0.5, test_fraction=0.45).validate()
    with pytest.raises(ConfigError, match="fraction"):
        DataConfig(fraction=0.0).validate()


def test_round_trip_through_plain_values_keeps_types():
    cfg = ModelConfig(kind=ModelKind.KERAS_MLP, hidden_units=(64, 32), optimizer=Optimizer.SGD)
    plain = cfg.to_dict()
    assert plain["kind"] == "keras_mlp" and plain["hidden_units"] == [64, 32]
    assert ModelConfig.from_dict(plain) == cfg
    assert DataConfig.from_dict(DataConfig(scaling=Scaling.MINMAX).to_dict()).scaling is Scaling.MINMAX


def test_replace_converts_strings_and_rejects_unknown_fields():
    cfg = replace_plain(ModelConfig(), kind="knn", epochs="7", learning_rate="0.01")
    assert cfg.kind is ModelKind.KNN and cfg.epochs == 7 and cfg.learning_rate == 0.01
    with pytest.raises(ConfigError, match="Unknown ModelConfig field"):
        replace_plain(ModelConfig(), layers=3)
    with pytest.raises(ConfigError, match="kind"):
        replace_plain(ModelConfig(), kind="transformer")
