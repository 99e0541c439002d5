"""Seeing inside a network: its gradient, its layers and its training.

* :func:`check_gradients` holds a network's analytic gradient against
  central finite differences, on your own data and network;
* :func:`layer_outputs` gives the activation of every layer;
* :class:`HiddenUnitsDisplay` maps each hidden unit's activation over a
  2-feature input plane;
* :class:`TrainingSnapshots` (a callback of scikit-learn's callback API)
  and :func:`record_training` keep the model as it stood at chosen epochs,
  which :class:`TrainingEvolutionDisplay` draws as small multiples or an
  animation;
* :func:`lr_range_test` runs the learning-rate range test (Smith, 2017),
  and :class:`LearningRateFinderDisplay` plots it.

Everything works on both backends, and on a
:class:`~sklearn.pipeline.Pipeline` whose last step is a network: the
earlier steps transform the inputs first. Nothing here changes the
estimator it is given. matplotlib is imported only when a display draws.
"""

from ._evolution import TrainingEvolutionDisplay, TrainingSnapshots, record_training
from ._gradients import check_gradients
from ._layers import HiddenUnitsDisplay, layer_outputs
from ._lr_finder import LearningRateFinderDisplay, lr_range_test

__all__ = [
    "HiddenUnitsDisplay",
    "LearningRateFinderDisplay",
    "TrainingEvolutionDisplay",
    "TrainingSnapshots",
    "check_gradients",
    "layer_outputs",
    "lr_range_test",
    "record_training",
]
