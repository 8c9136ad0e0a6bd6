"""Language runners: how a program or the test harness is started inside the sandbox.

Every command runs with ``/code`` (read-only, the request's files) as working directory and a
writable ``/tmp``. Java is compiled inside the sandbox (``javac`` into ``/tmp``) so the same limits
apply to the compiler as to the program, and no host-side toolchain is needed.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from importlib import resources

CODE_DIR = "/code"

# JVM flags: the serial collector and the C1-only JIT start fastest and use the fewest threads (threads
# count against the process limit). The heap may grow to the memory limit, so usually the cgroup ends a
# memory hog; but a single allocation beyond -Xmx makes the JVM throw OutOfMemoryError instead, which a
# program (or the harness) could catch and turn into a generic error. -XX:+ExitOnOutOfMemoryError ends the
# JVM at once with JVM_OOM_EXIT and JVM_OOM_MESSAGE, which :func:`runtime_out_of_memory` recognises, so
# either way the run is reported as "memory". (A thread that cannot be created also throws
# OutOfMemoryError, but not through that path: a thread bomb is the process limit's business.) The VM's
# own messages and warnings go to stderr, never to stdout, which is the harness's result channel; and no
# tool (jcmd, a spawned attach client) can attach to the JVM to dump the harness's memory.
_JVM_FLAGS = ("-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto "
              "-XX:+ExitOnOutOfMemoryError -XX:+DisplayVMOutputToStderr -Xlog:disable -Xlog:all=warning:stderr "
              "-XX:+DisableAttachMechanism")
JVM_OOM_EXIT = 3
JVM_OOM_MESSAGE = "Terminating due to java.lang.OutOfMemoryError"


def _jvm_flags(memory_bytes: int) -> str:
    return f"{_JVM_FLAGS} -Xmx{max(32, memory_bytes // (1024 * 1024))}m -Xss8m"


def _javac(sources: str, memory_bytes: int) -> str:
    jflags = " ".join(f"-J{f}" for f in _jvm_flags(memory_bytes // 2).split())
    return f"javac {jflags} -encoding UTF-8 -nowarn -d /tmp/.classes {sources} </dev/null"


# No environment variables; no `site` (so no user or site packages: the same standard library on every
# backend, and ~4 ms off every start); no .pyc writes into the read-only code directory.
PYTHON_FLAGS = ("-E", "-S", "-B")


@dataclass(frozen=True)
class Language:
    name: str
    student_file: str  # default file name for a single-file submission / function
    harness_file: str

    def program_command(self, entry: str, memory_bytes: int) -> tuple[str, ...]:
        path = f"{CODE_DIR}/{entry}"
        if self.name == "python":
            return ("python3", *PYTHON_FLAGS, path)
        if self.name == "javascript":
            return ("node", path)
        main_class = entry.rsplit("/", 1)[-1].removesuffix(".java")
        sources = "$(find . -name '*.java')"
        script = (
            f"{_javac(sources, memory_bytes)} && "
            f"exec java {_jvm_flags(memory_bytes)} -cp /tmp/.classes {shlex.quote(main_class)}"
        )
        return ("/bin/sh", "-c", script)

    def harness_command(self, student_file: str, function_name: str, memory_bytes: int) -> tuple[str, ...]:
        if self.name == "python":
            return ("python3", *PYTHON_FLAGS, f"{CODE_DIR}/{self.harness_file}", student_file, function_name)
        if self.name == "javascript":
            return ("node", f"{CODE_DIR}/{self.harness_file}", student_file, function_name)
        class_name = student_file.removesuffix(".java")
        script = (
            f"{_javac(f'{shlex.quote(student_file)} {self.harness_file}', memory_bytes)} 1>&2 && "
            f"exec java {_jvm_flags(memory_bytes)} -cp /tmp/.classes CrHarness "
            f"{shlex.quote(class_name)} {shlex.quote(function_name)}"
        )
        return ("/bin/sh", "-c", script)

    def harness_source(self) -> str:
        return resources.files("grader.sandbox.runners").joinpath(self.harness_file).read_text("utf-8")


LANGUAGE_SPECS: dict[str, Language] = {
    "python": Language("python", "solution.py", "cr_harness.py"),
    "javascript": Language("javascript", "solution.js", "cr_harness.js"),
    "java": Language("java", "Solution.java", "CrHarness.java"),
}


def runtime_out_of_memory(language: str, exit_code: int | None, stderr: str) -> bool:
    """The language runtime itself gave up for lack of memory (the JVM's -XX:+ExitOnOutOfMemoryError exit).

    A program could print the message and exit with the same status on purpose; that only gets its own
    run labelled "memory", a category it can reach anyway by allocating."""
    return language == "java" and exit_code == JVM_OOM_EXIT and JVM_OOM_MESSAGE in stderr


def command_for(language: str, entry: str | None, command: tuple[str, ...] | None, memory_bytes: int):
    """The argv to run for a request: its explicit command, or the runner's command for ``entry``."""
    if command is not None:
        return command
    assert entry is not None
    return LANGUAGE_SPECS[language].program_command(entry, memory_bytes)
