"""The project's own errors: one base class so pages and the CLI can catch exactly what a user can fix."""


class CoreError(Exception):
    """Base of every error a user can act on (bad config, bad data, model not ready)."""


class ConfigError(CoreError, ValueError):
    """A configuration value is out of its allowed range or does not fit the data."""


class DataError(CoreError):
    """A dataset cannot be loaded or prepared; the message says what to do about it."""


class NotFittedError(CoreError):
    """A model was asked to predict before it was fitted."""
