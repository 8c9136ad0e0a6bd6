"""A scriptable OpenAI-compatible HTTP server on 127.0.0.1 that plays a misbehaving model.

Why not a real model here: these tests need a model that *obeys* injected instructions, leaks secrets,
returns garbage, answers 500/429 or stalls — on demand and every time. No real model does that reliably,
so this stands in for one over real HTTP, driven through the real ``openai`` SDK. The real model is
exercised in tests/llm/test_llama_server.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A behaviour maps the request body to (status, content, delay_seconds). A streamed answer is sent word by
# word from a string, or piece by piece from a list of strings (to cut a sentence where a test wants).
Behaviour = Callable[[dict[str, Any]], tuple[int, str | list[str], float]]


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.behaviour: Behaviour = lambda body: (200, "Hello.", 0.0)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 — http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                status, content, delay = fake.behaviour(body)
                time.sleep(delay)
                if status != 200:
                    self._send(status, json.dumps({"error": {"message": "scripted failure", "type": "x"}}))
                elif body.get("stream"):
                    self._stream(body, content)
                else:
                    self._send(200, json.dumps({
                        "id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(content)},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
                    }))

            def _send(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], content: str | list[str]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                if isinstance(content, str):
                    words = content.split(" ")
                    content = [word + (" " if i < len(words) - 1 else "") for i, word in enumerate(words)]
                for piece in content:
                    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def by_purpose(director: str, actor: str, evaluator: str = '{"strengths": ["ok"], "improvements": ["ok"]}'
               ) -> Behaviour:
    """Answer by which role is asking (recognised from the system prompt)."""

    def behave(body: dict[str, Any]) -> tuple[int, str, float]:
        system = body["messages"][0]["content"]
        if "You rate how a software student" in system:
            return 200, director, 0.0
        if "supportive teacher" in system:
            return 200, evaluator, 0.0
        return 200, actor, 0.0

    return behave
