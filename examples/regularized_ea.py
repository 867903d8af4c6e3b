"""Regularized evolution on NATS-Bench's topology space, written the way AutoDL-Projects'
``exps/NATS-algos/regularized_ea.py`` runs it (population 10, tournament 3, ``hp='12'`` proxy,
time budget in simulated seconds), on dagfilter's nats_bench facade.

The DAG filter is the three lines marked ``# DAG filter``::

    python examples/regularized_ea.py --dataset cifar100 --time_budget 40000 --filter 0.5
"""
from __future__ import annotations

import argparse
import collections
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nats_common import OPS, add_common_args, make_api, summarize, mutate_topology_func, random_topology_func  # noqa: E402


class Model:
    def __init__(self):
        self.arch = None
        self.accuracy = None


def regularized_evolution(cycles, population_size, sample_size, time_budget, random_arch, mutate_arch, api,
                          use_proxy, dataset):
    """Aging evolution (Real et al., Algorithm 1) until ``time_budget`` simulated seconds are spent."""
    population = collections.deque()
    api.reset_time()
    history, total_time_cost, current_best_index = [], [], []
    hp = "12" if use_proxy else api.full_train_epochs
    while len(population) < population_size:
        model = Model()
        model.arch = random_arch()
        model.accuracy, _, _, total_cost = api.simulate_train_eval(model.arch, dataset, hp=hp)
        population.append(model)
        history.append((model.accuracy, model.arch))
        total_time_cost.append(total_cost)
        current_best_index.append(api.query_index_by_arch(max(history, key=lambda x: x[0])[1]))
    while total_time_cost[-1] < time_budget:
        sample = [random.choice(list(population)) for _ in range(sample_size)]
        parent = max(sample, key=lambda m: m.accuracy)
        child = Model()
        child.arch = mutate_arch(parent.arch)
        child.accuracy, _, _, total_cost = api.simulate_train_eval(child.arch, dataset, hp=hp)
        population.append(child)
        history.append((child.accuracy, child.arch))
        current_best_index.append(api.query_index_by_arch(max(history, key=lambda x: x[0])[1]))
        total_time_cost.append(total_cost)
        population.popleft()
    return history, current_best_index, total_time_cost


def main(argv=None, api=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument("--ea_population", type=int, default=10)
    parser.add_argument("--ea_sample_size", type=int, default=3)
    parser.add_argument("--ea_cycles", type=int, default=200)
    parser.add_argument("--use_proxy", type=int, default=1)
    args = parser.parse_args(argv)
    random.seed(args.rand_seed)
    api = api or make_api(args.nats_path)
    random_arch = random_topology_func(OPS)
    mutate_arch = mutate_topology_func(OPS)
    if args.filter:
        from dagfilter.adapters import filtered_mutation, filtered_sampler          # DAG filter
        random_arch = filtered_sampler(random_arch, fraction=args.filter)           # DAG filter
        mutate_arch = filtered_mutation(mutate_arch, fraction=args.filter)          # DAG filter
    history, best_index, times = regularized_evolution(args.ea_cycles, args.ea_population, args.ea_sample_size,
                                                       args.time_budget, random_arch, mutate_arch, api,
                                                       args.use_proxy > 0, args.dataset)
    best = max(history, key=lambda x: x[0])[1]
    return summarize("regularized evolution", api, args.dataset, history, best, best_index, times, echo=argv is None)


if __name__ == "__main__":
    main()
