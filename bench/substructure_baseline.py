"""Baseline for bench/substructure.bench.mjs: Debian python3-rdkit SubstructLibrary.

Usage: /usr/bin/python3 bench/substructure_baseline.py SMILES_FILE QUERIES_JSON REPEATS
  SMILES_FILE   one SMILES per line (line number = molecule index)
  QUERIES_JSON  JSON list of SMARTS strings
The library is rdSubstructLibrary.SubstructLibrary(CachedTrustedSmilesMolHolder(), PatternHolder()):
SMILES kept as text and parsed on demand, pattern fingerprints as the screen, the same design as
the RDKit.js SubstructLibrary the service uses. Only GetMatches(query, numThreads=1) is timed.
Prints JSON: RDKit version, build seconds, and per query the median seconds and sorted hit indices.
"""
import json
import statistics
import sys
import time

from rdkit import Chem, rdBase
from rdkit.Chem import rdSubstructLibrary


def main():
    smiles_path, queries_path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(smiles_path) as handle:
        smiles = [line.strip() for line in handle if line.strip()]
    with open(queries_path) as handle:
        queries = json.load(handle)
    started = time.perf_counter()
    library = rdSubstructLibrary.SubstructLibrary(
        rdSubstructLibrary.CachedTrustedSmilesMolHolder(), rdSubstructLibrary.PatternHolder()
    )
    for text in smiles:
        library.AddMol(Chem.MolFromSmiles(text))
    build_seconds = time.perf_counter() - started
    results = []
    for smarts in queries:
        query = Chem.MolFromSmarts(smarts)
        times = []
        hits = []
        for _ in range(repeats):
            started = time.perf_counter()
            hits = library.GetMatches(query, numThreads=1, maxResults=len(smiles) + 1)
            times.append(time.perf_counter() - started)
        results.append({"smarts": smarts, "medianSeconds": statistics.median(times), "hits": sorted(hits)})
    print(json.dumps({"rdkit": rdBase.rdkitVersion, "buildSeconds": build_seconds, "queries": results}))


if __name__ == "__main__":
    main()
