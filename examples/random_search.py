"""Random search on NATS-Bench's topology space, written the way AutoDL-Projects'
``exps/NATS-algos/random_wo_share.py`` runs it (``hp='12'`` proxy, simulated-time budget), on
dagfilter's nats_bench facade. The DAG filter is the two lines marked ``# DAG filter``::

    python examples/random_search.py --dataset cifar10 --time_budget 20000 --filter 0.5
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nats_common import OPS, add_common_args, make_api, summarize, random_topology_func  # noqa: E402


def random_search(random_arch, api, dataset, time_budget):
    """Evaluate random cells until ``time_budget`` simulated seconds are spent; keep the best by validation."""
    api.reset_time()
    best_arch, best_acc, total_time_cost, history, current_best_index = None, -1, [], [], []
    while len(total_time_cost) == 0 or total_time_cost[-1] < time_budget:
        arch = random_arch()
        accuracy, _, _, total_cost = api.simulate_train_eval(arch, dataset, hp="12")
        total_time_cost.append(total_cost)
        history.append(arch)
        if best_arch is None or best_acc < accuracy:
            best_acc, best_arch = accuracy, arch
        current_best_index.append(api.query_index_by_arch(best_arch))
    return best_arch, history, current_best_index, total_time_cost


def main(argv=None, api=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    args = parser.parse_args(argv)
    random.seed(args.rand_seed)
    api = api or make_api(args.nats_path)
    random_arch = random_topology_func(OPS)
    if args.filter:
        from dagfilter.adapters import filtered_sampler                             # DAG filter
        random_arch = filtered_sampler(random_arch, fraction=args.filter)           # DAG filter
    best, history, best_index, times = random_search(random_arch, api, args.dataset, args.time_budget)
    return summarize("random search", api, args.dataset, history, best, best_index, times, echo=argv is None)


if __name__ == "__main__":
    main()
