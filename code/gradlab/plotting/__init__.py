"""Every figure of the book.

Plotting functions take computed results (they never compute them), accept
``ax=None`` and return the Axes or Figure they drew on. One module per chapter
subject, plus `style`; callers import from the module that defines a name
(``from gradlab.plotting.chain import plot_lr_sweep``), or spell it through the module
after ``import gradlab``. No computing module imports this package; only the front
ends do (the CLI, the figure registry). The modules are imported on first use
(`lazy_loader`): importing this package loads no matplotlib.
"""

import pkgutil

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submodules=[m.name for m in pkgutil.iter_modules(__path__)]
)
