"""Local search on NATS-Bench's topology space as NASLib's discrete ``LocalSearch`` optimizer does it:
from a random cell, evaluate its whole neighbourhood (one op changed), move to the best neighbour
if it improves, else restart from a new random cell - with dagfilter's nats_bench facade as the
benchmark. The DAG filter is the three lines marked ``# DAG filter``::

    python examples/local_search.py --dataset ImageNet16-120 --time_budget 120000 --filter 0.5
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nats_common import OPS, add_common_args, make_api, summarize, neighbours, random_topology_func  # noqa: E402


def local_search(random_arch, neighbourhood, api, dataset, time_budget):
    """Best-improvement local search with random restarts until ``time_budget`` simulated seconds."""
    api.reset_time()
    history, total_time_cost, current_best_index = [], [], []

    def evaluate(arch):
        acc, _, _, total = api.simulate_train_eval(arch, dataset, hp="12")
        history.append((acc, arch))
        total_time_cost.append(total)
        current_best_index.append(api.query_index_by_arch(max(history, key=lambda x: x[0])[1]))
        return acc

    current = random_arch()
    current_acc = evaluate(current)
    while total_time_cost[-1] < time_budget:
        best_nb, best_acc = None, current_acc
        for nb in neighbourhood(current):
            if total_time_cost[-1] >= time_budget:
                break
            acc = evaluate(nb)
            if acc > best_acc:
                best_nb, best_acc = nb, acc
        if best_nb is not None:
            current, current_acc = best_nb, best_acc
        elif total_time_cost[-1] < time_budget:  # a local optimum: restart
            current = random_arch()
            current_acc = evaluate(current)
    return history, current_best_index, total_time_cost


def main(argv=None, api=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    args = parser.parse_args(argv)
    random.seed(args.rand_seed)
    api = api or make_api(args.nats_path)
    random_arch = random_topology_func(OPS)
    neighbourhood = lambda arch: neighbours(arch, OPS)  # noqa: E731
    if args.filter:
        from dagfilter.adapters import filtered_neighbours, filtered_sampler        # DAG filter
        random_arch = filtered_sampler(random_arch, fraction=args.filter)           # DAG filter
        neighbourhood = filtered_neighbours(neighbourhood, fraction=args.filter)    # DAG filter
    history, best_index, times = local_search(random_arch, neighbourhood, api, args.dataset, args.time_budget)
    best = max(history, key=lambda x: x[0])[1]
    return summarize("local search", api, args.dataset, history, best, best_index, times, echo=argv is None)


if __name__ == "__main__":
    main()
