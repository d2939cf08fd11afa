"""Baseline for bench/similarity.bench.mjs: Debian python3-rdkit BulkTanimotoSimilarity.

Usage: /usr/bin/python3 bench/similarity_baseline.py FPS_FILE COUNT QUERIES REPEATS OUT_DIR
  FPS_FILE  COUNT fingerprints, 256 bytes each (bit b = byte b >> 3, bit b & 7, as RDKit FPS text)
  QUERIES   comma-separated fingerprint indices used as queries
Prints JSON: RDKit version, seconds to build the bit vectors, and per query the median seconds of
BulkTanimotoSimilarity (only that call is timed). The full result of the first two queries is
written as little-endian float64 to OUT_DIR/similarity-<index>.bin for the exactness check.
"""
import json
import statistics
import sys
import time

from rdkit import DataStructs, rdBase


def main():
    path, count, queries, repeats, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    with open(path, "rb") as handle:
        data = handle.read()
    started = time.perf_counter()
    fps = [DataStructs.CreateFromFPSText(data[i * 256:(i + 1) * 256].hex()) for i in range(count)]
    build_seconds = time.perf_counter() - started
    results = []
    for position, index in enumerate(int(q) for q in queries.split(",")):
        query = fps[index]
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            similarities = DataStructs.BulkTanimotoSimilarity(query, fps)
            times.append(time.perf_counter() - started)
        if position < 2:
            import array

            array.array("d", similarities).tofile(open(f"{out_dir}/similarity-{index}.bin", "wb"))
        results.append({"query": index, "onBits": query.GetNumOnBits(), "medianSeconds": statistics.median(times)})
    print(json.dumps({"rdkit": rdBase.rdkitVersion, "buildSeconds": build_seconds, "queries": results}))


if __name__ == "__main__":
    main()
