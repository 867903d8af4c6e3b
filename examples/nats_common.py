"""Shared pieces of the example loops: the topology space's op names, xautodl's ``CellStructure``
(or a stand-in with the same ``nodes`` / ``tostr()`` when xautodl is not installed), and the
sampler / mutation functions written the way AutoDL-Projects' ``exps/NATS-algos`` scripts write them.
"""
from __future__ import annotations

import random
from copy import deepcopy

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


class MiniStructure:
    """A stand-in for ``xautodl.models.CellStructure``: ``nodes`` is a list of per-node tuples of
    ``(op, input)`` pairs and ``tostr()`` the NAS-Bench-201 string."""

    def __init__(self, nodes):
        self.nodes = [tuple(n) for n in nodes]

    def tostr(self) -> str:
        return "+".join("|" + "|".join(f"{op}~{j}" for op, j in node) + "|" for node in self.nodes)

    def __repr__(self) -> str:
        return f"MiniStructure({self.tostr()})"


def cell_structure_class():
    """xautodl's ``CellStructure`` if installed, else :class:`MiniStructure`."""
    try:
        from xautodl.models.cell_searchs.genotypes import Structure
    except ImportError:
        return MiniStructure
    return Structure


def random_topology_func(op_names, max_nodes: int = 4, structure=None):
    """A sampler of random cells (one op per edge, uniformly)."""
    Structure = structure or cell_structure_class()

    def random_architecture():
        return Structure([tuple((random.choice(op_names), j) for j in range(i)) for i in range(1, max_nodes)])

    return random_architecture


def mutate_topology_func(op_names):
    """Change the op of one random edge to another op (the regularized-evolution mutation)."""

    def mutate_topology(parent_arch):
        child = deepcopy(parent_arch)
        node_id = random.randint(0, len(child.nodes) - 1)
        node = list(child.nodes[node_id])
        k = random.randint(0, len(node) - 1)
        op = random.choice([o for o in op_names if o != node[k][0]])
        node[k] = (op, node[k][1])
        child.nodes[node_id] = tuple(node)
        return child

    return mutate_topology


def neighbours(arch, op_names):
    """Every cell one op away from ``arch`` (6 edges x 4 other ops = 24 for NAS-Bench-201), shuffled."""
    out = []
    for node_id, node in enumerate(arch.nodes):
        for k, (op, j) in enumerate(node):
            for other in op_names:
                if other == op:
                    continue
                child = deepcopy(arch)
                items = list(child.nodes[node_id])
                items[k] = (other, j)
                child.nodes[node_id] = tuple(items)
                out.append(child)
    random.shuffle(out)
    return out


def test_accuracy(api, arch, dataset: str) -> float:
    """The figure NATS-Bench's paper reports for a found cell: mean test accuracy after 200 epochs."""
    return float(api.get_more_info(arch, dataset, hp="200", is_random=False)["test-accuracy"])


def summarize(loop: str, api, dataset: str, history, best, best_index, times, echo: bool) -> dict:
    """The result dict every example returns (and, with ``echo``, a one-line summary on stdout)."""
    result = {"evaluated": len(history), "time": times[-1], "best_index": api.query_index_by_arch(best),
              "test_accuracy": test_accuracy(api, best, dataset), "best_index_trace": best_index,
              "time_trace": times, "time_source": api.time_source}
    if echo:
        print(f"{loop} on {dataset}: {len(history)} cells in {times[-1]:.0f} s ({api.time_source}); "
              f"best {best.tostr()} (index {result['best_index']}), test accuracy {result['test_accuracy']:.2f}%")
    return result


def make_api(nats_path=None):
    """The nats_bench facade: official files if given (real times), else the shipped table with the
    labelled FLOPs time estimate."""
    from dagfilter import bench

    if nats_path:
        return bench.create(nats_path, "tss", fast_mode=True, verbose=False)
    return bench.create(None, "tss", fast_mode=True, verbose=False, time_model="flops")


def add_common_args(parser, budget: int = 20000) -> None:
    parser.add_argument("--dataset", default="cifar10", choices=["cifar10", "cifar100", "ImageNet16-120"])
    parser.add_argument("--time_budget", type=float, default=budget, help="simulated seconds (NATS-Bench: 20000 / 40000 / 120000)")
    parser.add_argument("--filter", type=float, default=0.0, help="DAG filter window fraction (0 = no filter)")
    parser.add_argument("--rand_seed", type=int, default=0)
    parser.add_argument("--nats_path", default=None, help="official NATS-Bench files (default: shipped table + time estimate)")
