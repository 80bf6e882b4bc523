#!/usr/bin/env python3
"""Times mutagen (Debian python3-mutagen) probing the same fixture set as ProbeFixtureSetBenchmarks, in-process.

Each file: mutagen.File(path) (format, stream info, tags; mutagen also loads the cover art bytes) and one tag read.
Prints files/s over the best of several rounds. Run: /usr/bin/python3 benchmarks/peers/mutagen_probe.py
"""
import os, sys, time
import mutagen

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures")
files = sorted(os.path.join(root, d, f) for d in ("mp3", "aac", "m4a") for f in os.listdir(os.path.join(root, d))
               if not f.startswith("drm-"))
files = sorted(files, key=lambda p: os.path.relpath(p, root))

def probe_all():
    n = 0
    for path in files:
        f = mutagen.File(path)
        if f is not None:
            _ = f.info.length
            if f.tags is not None:
                _ = len(f.tags.keys())
            n += 1
    return n

probe_all()  # warm the page cache and imports
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    for _ in range(rounds):
        probe_all()
    best = min(best, (time.perf_counter() - start) / rounds)
print(f"mutagen {mutagen.version_string}: {len(files)} files in {best * 1000:.3f} ms per set = {len(files) / best:,.0f} files/s")
