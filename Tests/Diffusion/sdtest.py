"""What the Stable Diffusion parity checks share: running `rkbench sd` and comparing arrays."""
import os
import subprocess
import tempfile

import numpy as np


class Bench:
    """`rkbench sd COMMAND …`, with .npy files in and out."""

    def __init__(self, path):
        self.path = path

    def run(self, command, *arguments, check=True):
        """Runs one command; returns the CompletedProcess (text output)."""
        result = subprocess.run([self.path, "sd", command, *map(str, arguments)], capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"rkbench sd {command} failed ({result.returncode}): {result.stdout}{result.stderr}")
        return result

    def array(self, command, *arguments, **inputs):
        """Runs a command whose keyword arrays become `--name file.npy` and returns its --out array."""
        with tempfile.TemporaryDirectory() as tmp:
            args = list(arguments)
            for name, value in inputs.items():
                path = os.path.join(tmp, name + ".npy")
                np.save(path, np.ascontiguousarray(value, dtype=np.float32))
                args += ["--" + name.replace("_", "-"), path]
            out = os.path.join(tmp, "out.npy")
            self.run(command, *args, "--out", out)
            return np.load(out)


def relative_error(actual, reference):
    """max |Δ| / max |reference|: the issue's measure of parity."""
    actual, reference = np.asarray(actual, np.float64), np.asarray(reference, np.float64)
    if actual.shape != reference.shape:
        raise AssertionError(f"shape {actual.shape} differs from the reference's {reference.shape}")
    return float(np.abs(actual - reference).max() / max(np.abs(reference).max(), 1e-30))


def assert_close(name, actual, reference, tolerance):
    """Fails with the measured error when it exceeds `tolerance`; prints it otherwise."""
    error = relative_error(actual, reference)
    print(f"  {name}: max|Δ|/max|ref| = {error:.2e} (≤ {tolerance:.0e})")
    if not error <= tolerance:
        raise AssertionError(f"{name}: max|Δ|/max|ref| = {error:.3e} > {tolerance:.0e}")
