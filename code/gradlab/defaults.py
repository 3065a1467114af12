"""The book's settings: the seeds, sizes and learning rates the chapters use.

Plain numbers and names, no torch, so that ``python -m gradlab --help`` can show them
as its defaults without loading torch. The concept modules re-export them
(``gradlab.chain.CHAIN_LR`` is ``gradlab.defaults.CHAIN_LR``).

>>> from gradlab.training import hoeffding_test_size
>>> hoeffding_test_size(0.01, 0.01) == TEST_SIZE
True
"""

#: The chain lab's chain (links, seed of its random start) and its descent (learning
#: rate, steps).
CHAIN_LINKS = 10
CHAIN_SEED = 0
CHAIN_LR = 0.01
CHAIN_STEPS = 1000
#: Loss variants by name (see `gradlab.chain.loss_variant`).
LOSS_VARIANTS = ("right", "diagonal", "x-heavy", "x-light", "middle", "stiff")

#: The bowl of "Gradients": three learning rates (too small, good, too large), the
#: start and the number of steps of each run.
BOWL_LRS = (0.01, 0.15, 0.21)
BOWL_START = (-4.0, 2.0)
BOWL_STEPS = 30

#: Seed of the parabola's noise (its random start is drawn with seed + 1).
PARABOLA_SEED = 666
#: Time steps 0 … PARABOLA_POINTS − 1, and the scale of the Gaussian noise.
PARABOLA_POINTS, PARABOLA_NOISE = 20, 3.0

#: The source lab's settings: learning rate, epochs, hidden units, training points.
MLP_LR, MLP_EPOCHS, MLP_HIDDEN, MLP_TRAIN_SIZE = 0.1, 100, 5, 200
#: Seed of the classifier's initial parameters.
MLP_SEED = 0
#: Test points for P(|estimate − error| > 1%) ≤ 0.01 by Hoeffding: written out because
#: `hoeffding_test_size` lives with torch in `gradlab.training`; the doctest above
#: keeps the two equal.
TEST_SIZE = 26_492

#: "Validation, overfitting and early stopping": validation points; epochs of the long
#: run of the widest network (and its width); early stopping's patience in epochs;
#: independent draws of training set and start per width for the generalisation gap.
VAL_SIZE = 1_000
LONG_HIDDEN, LONG_EPOCHS = 500, 800
PATIENCE = 100
GAP_DRAWS = 20

#: "Mini-batches, initialization and optimizers": hidden units of the classifier,
#: seeds trained side by side, epochs, the mini-batch size and plain SGD's learning
#: rate.
MB_HIDDEN, MB_SEEDS, MB_EPOCHS, MB_BATCH, MB_LR = 100, 5, 15, 10, 0.1
