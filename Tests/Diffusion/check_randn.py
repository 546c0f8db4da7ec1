"""TorchGenerator (`rkbench sd randn`) against torch.randn with a seeded CPU generator:
several 64-bit seeds, shapes of ≥ 16 elements (the block Box–Muller path, counts that
are and are not multiples of 16), shapes under 16 (the scalar path and its cached
second deviate) and several draws in a row from one generator. On x86-64 (torch's
AVX2 normal kernel) every value must be bit-identical; elsewhere within 1e-6.
"""
import numpy as np
import torch

SEEDS = [0, 1, 42, 5489, 2**32 + 5, 2**63 - 1, 2**64 - 1]
SHAPES = [(1, 4, 64, 64), (1, 4, 8, 8), (16,), (17,), (3, 5, 7), (1, 4, 9, 11), (15,), (2, 3), (1,)]
# Several draws in a row from one generator: scalar-path draws leave a cached deviate
# behind that later scalar draws use, while block draws leave it alone.
SEQUENCES = [
    [(3,), (1, 4, 8, 8), (5,), (33,), (1,), (1, 4, 64, 64), (7,)],
    [(1, 4, 64, 64), (1, 4, 64, 64), (1, 4, 64, 64)],
    [(1,), (1,), (1,), (2, 2), (17,), (1,)],
]


def reference(seed, shapes):
    generator = torch.Generator().manual_seed(seed)
    return np.concatenate([torch.randn(shape, generator=generator).numpy().ravel() for shape in shapes])


def check(bench, fixtures):
    exact = torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")
    worst, identical, total = 0.0, 0, 0
    cases = [(seed, [shape]) for seed in SEEDS for shape in SHAPES] + [(s, q) for s in (0, 7, 2**64 - 1) for q in SEQUENCES]
    for seed, shapes in cases:
        spec = ":".join(",".join(map(str, shape)) for shape in shapes)
        mine = bench.array("randn", "--seed", seed, "--shape", spec).ravel()
        ref = reference(seed, shapes)
        if mine.shape != ref.shape:
            raise AssertionError(f"seed {seed} shapes {spec}: {mine.shape} values, torch {ref.shape}")
        error = float(np.abs(mine.astype(np.float64) - ref).max())
        same = int((mine.view(np.uint32) == ref.view(np.uint32)).sum())
        worst, identical, total = max(worst, error), identical + same, total + ref.size
        if error > 1e-6 or (exact and same != ref.size):
            raise AssertionError(f"seed {seed} shapes {spec}: max|Δ| = {error:.3e}, "
                                 f"{ref.size - same} of {ref.size} values differ in their bits")
    print(f"  randn: {len(cases)} draws, {total} values, max|Δ| = {worst:.2e}, "
          f"{identical}/{total} bit-identical (torch CPU capability {torch.backends.cpu.get_cpu_capability()})")
