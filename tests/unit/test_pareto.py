import pytest

from core.explore.pareto import comparable_mask, pareto_mask, timing_note


def test_simple_front():
    # (accuracy, seconds): the 3rd is dominated by the 2nd (less accurate and slower)
    assert pareto_mask([0.90, 0.95, 0.93, 0.97], [1.0, 2.0, 3.0, 5.0]) == [True, True, False, True]


def test_ties_on_one_axis():
    # same cost, different metric: only the better one; same metric, different cost: only the cheaper one
    assert pareto_mask([0.9, 0.8], [1.0, 1.0]) == [True, False]
    assert pareto_mask([0.9, 0.9], [1.0, 2.0]) == [True, False]


def test_exact_duplicates_are_both_on_the_front():
    assert pareto_mask([0.9, 0.9, 0.5], [1.0, 1.0, 2.0]) == [True, True, False]


def test_empty_and_mismatched():
    assert pareto_mask([], []) == []
    with pytest.raises(ValueError, match="same length"):
        pareto_mask([1.0], [])


def test_a_frontier_compares_one_dataset_and_clean_times_unless_asked():
    datasets = ["digits", "digits", "breast_cancer", "digits"]
    contexts = ["serial", "parallel:2", "serial", "tensorflow-loading"]
    assert comparable_mask(datasets, contexts, dataset="digits") == [True, False, False, False]
    assert comparable_mask(datasets, contexts, dataset="digits", include_all_timing=True) == [True, True, False, True]
    assert comparable_mask(datasets, contexts, dataset="breast_cancer") == [False, False, True, False]
    with pytest.raises(ValueError, match="same length"):
        comparable_mask(["digits"], [], dataset="digits")


def test_timing_notes_name_what_competed():
    assert "4 runs" in timing_note("parallel:4") and "TensorFlow" in timing_note("tensorflow-loading")
    assert "Ray" in timing_note("ray") and "alone" in timing_note("serial")
