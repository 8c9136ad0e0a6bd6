"""In-sandbox test harness for Python. Runs inside the sandbox; never imported by the grader.

argv: <student file> <function name, or "-" when every case names its own>. stdin: one JSON document
{"nonce", "cases": [{"args": [...], "fn": optional function name}]}, read completely before the student's
module is loaded. Expected values are never sent here. A case's own function is looked up on the module
when the case runs: a missing one fails that case (AttributeError), not the load.
For each case one record ``<nonce> <json>\\n`` goes to the original stdout (the result channel);
the student's own stdout/stderr are redirected to a capture file in /tmp. The functions used to write
records are bound before the student's code loads (patching ``json.dumps`` or ``time.perf_counter``
later changes nothing here); code in this process can still reach the channel, which is why the grader
takes nothing from a hidden case's record but its category and whether the value is right.
"""

import contextlib
import json
import os
import sys
import time
import traceback

MAX_VALUE_CHARS = 16000
MAX_OUTPUT_BYTES = 2000
CAPTURE = "/tmp/.cr-case-output"


def _jsonable(value, depth=0):
    if depth > 50:
        raise ValueError("nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [_jsonable(v, depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    raise TypeError(f"return value of type {type(value).__name__} cannot be compared")


def _student_trace(exc, student_path):
    """Only the frames from the student's file; harness frames would only confuse."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == student_path]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


def main(dumps=json.dumps, perf_counter=time.perf_counter, write_fd=os.write):
    student_file, function_name = sys.argv[1], sys.argv[2]
    payload = json.loads(sys.stdin.buffer.read())
    nonce = payload["nonce"]
    cases = payload["cases"]
    # Nothing more to read: the student's code sees an empty stdin.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    channel = os.dup(1)
    capture = os.open(CAPTURE, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(capture, 1)
    os.dup2(capture, 2)

    def emit(record):
        # A leading newline ends whatever partial line the student's code may have left on the channel;
        # the text is ASCII (json.dumps escapes the rest).
        data = ("\n" + nonce + " " + dumps(record, allow_nan=True) + "\n").encode()
        while data:
            data = data[write_fd(channel, data):]

    def take_output():
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os.lseek(capture, 0, os.SEEK_SET)
        data = os.read(capture, MAX_OUTPUT_BYTES)
        os.ftruncate(capture, 0)
        os.lseek(capture, 0, os.SEEK_SET)
        return data.decode("utf-8", "replace")

    student_path = os.path.join(os.getcwd(), student_file)
    sys.path.insert(0, os.path.dirname(student_path))
    try:
        import importlib.util

        spec = importlib.util.spec_from_file_location("solution", student_path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["solution"] = module
        spec.loader.exec_module(module)
        func = None
        if function_name != "-":
            func = getattr(module, function_name, None)
            if not callable(func):
                raise AttributeError(f"no function named {function_name!r} in {student_file}")
    except BaseException as exc:  # noqa: BLE001 - any failure to load is the student's to see
        emit({"load_error": type(exc).__name__, "trace": _student_trace(exc, student_path),
              "output": take_output()})
        os._exit(0)
    emit({"ready": True, "output": take_output()})

    for index, case in enumerate(cases):
        started = perf_counter()
        try:
            target = func
            name = case.get("fn")
            if name is not None:
                target = getattr(module, name, None)
                if not callable(target):
                    raise AttributeError(f"no function named {name!r} in {student_file}")
            value = target(*case["args"])
            elapsed = perf_counter() - started
            try:
                encoded = _jsonable(value)
                if len(dumps(encoded)) > MAX_VALUE_CHARS:
                    raise ValueError("return value is too large to compare")
                record = {"i": index, "status": "returned", "value": encoded}
            except (TypeError, ValueError) as exc:
                record = {"i": index, "status": "unserializable", "message": str(exc)[:300]}
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are failures too
            elapsed = perf_counter() - started
            record = {"i": index, "status": "raised", "error": type(exc).__name__,
                      "trace": _student_trace(exc, student_path)}
        record["seconds"] = round(elapsed, 6)
        record["output"] = take_output()
        emit(record)
    emit({"done": True})
    # Skip atexit handlers and finalizers the student may have registered.
    os._exit(0)


main()
