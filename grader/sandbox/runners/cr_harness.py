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

import posix  # what ``os`` wraps; ``os`` itself is not loaded at start-up without site (-S)
import sys
import time

MAX_VALUE_CHARS = 16000
MAX_OUTPUT_BYTES = 2000
CAPTURE = "/tmp/.cr-case-output"
# Every run pays for this file's imports before the student's code (two runs a Submit), so it loads no more
# than it needs: the C half of json instead of json (which brings re and enum), traceback only on an error,
# the student's module compiled directly instead of through importlib.util (which brings contextlib).


def _json_functions():
    """(dumps, loads) with json's own results: dumps as json.dumps(value) (ASCII, ", " and ": ", NaN and
    Infinity allowed), loads for the grader's payload."""
    try:
        from _json import encode_basestring_ascii, make_encoder, make_scanner
    except ImportError:  # an interpreter without the C accelerator: the same functions, slower to load
        import json

        return json.dumps, json.loads

    def unsupported(value):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    # No circular-reference markers: every value passes through _jsonable first, which builds fresh lists and
    # dicts (no cycles) at most 51 levels deep.
    encode = make_encoder(None, unsupported, encode_basestring_ascii, None, ": ", ", ", False, False, True)

    class Context:
        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        parse_constant = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}.__getitem__
        memo = {}

    scan = make_scanner(Context())

    def dumps(value):
        return "".join(encode(value, 0))

    def loads(data):
        return scan(data.decode("utf-8"), 0)[0]

    return dumps, loads


_dumps, _loads = _json_functions()


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
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == student_path]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


def main(dumps=_dumps, perf_counter=time.perf_counter, write_fd=posix.write):
    student_file, function_name = sys.argv[1], sys.argv[2]
    payload = _loads(sys.stdin.buffer.read())
    nonce = payload["nonce"]
    cases = payload["cases"]
    # Nothing more to read: the student's code sees an empty stdin.
    null = posix.open("/dev/null", posix.O_RDONLY)
    posix.dup2(null, 0)
    posix.close(null)
    channel = posix.dup(1)
    capture = posix.open(CAPTURE, posix.O_RDWR | posix.O_CREAT | posix.O_TRUNC, 0o600)
    posix.dup2(capture, 1)
    posix.dup2(capture, 2)

    def emit(record):
        # A leading newline ends whatever partial line the student's code may have left on the channel;
        # the text is ASCII (json.dumps escapes the rest).
        data = ("\n" + nonce + " " + dumps(record) + "\n").encode()
        while data:
            data = data[write_fd(channel, data):]

    def take_output():
        for stream in (sys.stdout, sys.stderr):
            try:  # noqa: SIM105 - contextlib is not loaded here (see the top)
                stream.flush()
            except Exception:  # noqa: BLE001, S110 - a stream the student closed or replaced
                pass
        posix.lseek(capture, 0, 0)
        data = posix.read(capture, MAX_OUTPUT_BYTES)
        posix.ftruncate(capture, 0)
        posix.lseek(capture, 0, 0)
        return data.decode("utf-8", "replace")

    student_path = student_file if student_file.startswith("/") else posix.getcwd() + "/" + student_file
    student_dir = student_path.rsplit("/", 1)[0] or "/"
    sys.path.insert(0, student_dir)
    try:
        module = type(sys)("solution")  # a plain module object, as importlib would make
        module.__file__ = student_path
        sys.modules["solution"] = module
        with open(student_path, "rb") as source:
            code = compile(source.read(), student_path, "exec", dont_inherit=True)
        exec(code, module.__dict__)  # noqa: S102 - running the student's module is this file's job
        func = None
        if function_name != "-":
            func = getattr(module, function_name, None)
            if not callable(func):
                raise AttributeError(f"no function named {function_name!r} in {student_file}")
    except BaseException as exc:  # noqa: BLE001 - any failure to load is the student's to see
        emit({"load_error": type(exc).__name__, "trace": _student_trace(exc, student_path),
              "output": take_output()})
        posix._exit(0)
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
    posix._exit(0)


main()
