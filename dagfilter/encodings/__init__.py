"""Converters between user encodings and :class:`dagfilter.cell.Cell`.

* :mod:`.nb201` - NAS-Bench-201 strings, op lists, official indices, NASLib tuples;
* :mod:`.darts` - DARTS ``Genotype`` namedtuples and NDS JSON genotype dicts;
* :mod:`.adjacency` - adjacency matrix + op list (NAS-Bench-101 style);
* :mod:`.graph` - networkx graphs;
* :func:`dagfilter.encodings.parse.parse_cell` - any of the above, guessed from the value.
"""
