"""gradlab.digits: the split is a partition fixed by its seed, and only the training
set's statistics standardise every set."""

import pytest
import torch
from gradlab import digits


@pytest.fixture(scope="module")
def data():
    return digits.load(seed=0)


def test_the_split_is_a_seeded_partition_of_all_images(data):
    assert (len(data.train), len(data.val), len(data.test)) == (1079, 359, 359)
    images, labels = digits.raw()
    assert images.shape == (1797, 8, 8) and set(labels.tolist()) == set(range(10))
    rows = {
        tuple(s.images.flatten(1)[i].tolist())
        for s in data_sets(data)
        for i in range(len(s))
    }
    assert len(rows) == len(
        {tuple(r.tolist()) for r in images.flatten(1)}
    )  # no image lost
    again, other = digits.load(seed=0), digits.load(seed=1)
    assert torch.equal(again.test.images, data.test.images)
    assert not torch.equal(other.test.images, data.test.images)


def data_sets(data):
    return data.train, data.val, data.test


def test_only_training_statistics_standardise(data):
    train = data.train.x.double()
    assert train.mean(0).abs().max() < 1e-5  # centred by its own mean
    varying = data.train.images.flatten(1).std(0) > 0
    assert torch.allclose(
        train.std(0)[varying], torch.ones(int(varying.sum())).double(), atol=1e-5
    )
    assert (
        train[:, ~varying] == 0
    ).all()  # a constant pixel keeps deviation 1: stays 0
    val = (data.val.images.flatten(1) - data.mean.double()) / data.std.double()
    assert torch.allclose(data.val.x.double(), val, atol=1e-5)
    assert data.val.x.double().mean(0).abs().max() > 1e-3  # not its own statistics


def test_bad_fractions_say_so():
    with pytest.raises(ValueError, match="three positive numbers"):
        digits.split_sizes(100, (0.5, 0.5, 0.0))
    assert digits.split_sizes(1797) == (1079, 359, 359)
