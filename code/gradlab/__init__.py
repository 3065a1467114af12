"""gradlab: the executable companion of the book "Pull the Chain".

Gradients, computation graphs, autograd and MLP training, as small functions of
tensors that the chapters call and the tests check. One module per concept
(`batched`, `chain`, `classify`, `data`, `depth`, `descent`, `digits`, `engine`,
`engine_mlp`, `functions`, `generalization`, `gradcheck`, `graphs`, `initialization`,
`jacobians`, `mlp`, `optimizers`, `stacked`, `training`, `widgets`), the
book's experiments in `gradlab.experiments`, drawing in `gradlab.plotting`, the
figure registry in `gradlab.figures`, the checks readers run on their answers to
exercises in `gradlab.exercises`, the command line in `gradlab.cli`
(``python -m gradlab --help``).

``import gradlab`` is cheap: each name below and each submodule is imported the first
time it is used (with `lazy_loader`), so torch and matplotlib load only when
something needs them.
"""

import pkgutil

import lazy_loader

#: The names a reader types most, by the submodule that defines them. Everything else
#: is spelled through its submodule: `gradlab.chain.fan_of_strings`,
#: `gradlab.plotting.chain.plot_lr_sweep`, `gradlab.experiments.chain.lr_sweep`.
_EXPORTS = {
    "chain": (
        "loss_variant",
        "positions",
        "pull",
        "pull_right",
        "random_angles",
        "stability_limit",
    ),
    "data": ("default_mixture",),
    "descent": ("History", "LeastSquares", "gradient_descent"),
    "functions": ("bowl",),
    "gradcheck": ("directional_check", "numerical_gradient"),
    "graphs": ("autograd_dag", "trace_values_and_grads", "value_grad_dag"),
    "mlp": ("init_mlp", "mlp_loss", "mlp_predict", "tanh_mlp"),
    "training": ("error_rate", "fit_module", "train_mlp"),
}

__all__ = sorted(name for names in _EXPORTS.values() for name in names)
_lookup, __dir__, _ = lazy_loader.attach(
    __name__,
    submodules=[m.name for m in pkgutil.iter_modules(__path__) if m.name[0] != "_"],
    submod_attrs=_EXPORTS,
)


def __getattr__(name: str) -> object:
    """A public name, a submodule or ``__version__``, loaded on first use."""
    if name != "__version__":
        return _lookup(name)
    # On demand: importing importlib.metadata loads the email, csv and zipfile
    # packages, and only `--version` and a reader notebook's set-up check need it.
    from importlib import metadata

    global __version__
    try:
        __version__ = metadata.version("gradlab")
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        __version__ = "0+unknown"
    return __version__
