"""The book's experiments: each is one function whose arguments default to the
settings a chapter uses and which returns the result the chapter shows.

One module per chapter subject (`chain`, `descent`, `engine`, `generalization`,
`gradcheck`, `mlp`, `optimizers`); callers import from the module that defines a name
(``from gradlab.experiments.chain import lr_sweep``), or spell it through the module
after ``import gradlab`` (``gradlab.experiments.chain.lr_sweep``): the modules are
imported on first use (`lazy_loader`).

The chapter's cell, the figure registry (`gradlab.figures`) and the command line
call the same function, so the three cannot drift apart; a test compares each
registered figure's data with the values the built chapter recorded.
"""

import pkgutil

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submodules=[m.name for m in pkgutil.iter_modules(__path__)]
)
