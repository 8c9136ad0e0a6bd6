"""The terminal phase's domain half: a workspace of a few files and a service that runs when a flag file says so."""

from __future__ import annotations

from grader.phases import PhaseInfo
from grader.scoring import Grade, RubricItem
from grader.workbench.workspace import ShellTask, Workspace, run_command

PHASE = PhaseInfo("terminal_phase", "The Terminal Phase", "Type commands in a workspace (a test-only phase).",
                  options=frozenset({"max_attempts", "time_limit"}))
PORT = 8000
FLAG = ".service-on"
# Start the site when the workspace says it runs, and wait until it answers (the student's command comes next).
SETUP = (f"if [ -f {FLAG} ]; then (cd site && exec python3 -m http.server {PORT} --bind 127.0.0.1 "
         f">/tmp/http.log 2>&1 &); for i in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/{PORT}) 2>/dev/null && "
         "break; sleep 0.01; done; fi")
TEARDOWN = f"if [ -f {FLAG} ]; then echo stopped >> .service-log; fi"
PRELUDE = (f"service() {{ case \"$1\" in start) touch ~/{FLAG}; echo started;; stop) rm -f ~/{FLAG}; "
           "echo stopped;; *) echo 'usage: service start|stop'; return 2;; esac; }")


def seed() -> Workspace:
    return Workspace.from_files({
        "README.txt": "Welcome to the terminal phase.\n",
        "site/index.html": "<h1>hello from the site</h1>\n",
        "notes/todo.txt": "1. look around\n",
    })


def task() -> ShellTask:
    return CheckingTask(setup=SETUP, teardown=TEARDOWN, prelude=PRELUDE)


class CheckingTask(ShellTask):
    """The plain shell task with a check: does the site answer with the right page?"""

    def check(self, backend, workspace):  # type: ignore[no-untyped-def]
        result = run_command(backend, workspace, f"curl -s -m 2 127.0.0.1:{PORT}/index.html", setup=self.setup)
        passed = "hello from the site" in result.output
        return {"kind": "check", "outcome": result.outcome, "passed": passed,
                "output": "the site answers\n" if passed else "the site does not answer\n", "exit_code": None}


def grade(commands: int) -> Grade:
    item = RubricItem("commands", 100.0 if commands else 0.0, 100.0, f"{commands} commands")
    return Grade.from_items([item], summary="Terminal phase")
