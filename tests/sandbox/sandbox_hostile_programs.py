"""Hostile student programs, one per attack and language. Each prints what it managed to do, so a test
can tell "contained" from "did not try"."""

from __future__ import annotations

FLOOD_BYTES = 100 * 1024 * 1024

HOSTILE: dict[str, dict[str, str]] = {
    "fork_bomb": {
        "python": (
            "import os\n"
            "while True:\n"
            "    try:\n"
            "        os.fork()\n"
            "    except OSError:\n"
            "        pass\n"
        ),
        "javascript": (
            "const { spawn } = require('child_process');\n"
            "function bomb() {\n"
            "  for (let i = 0; i < 50; i++) { try { spawn('sleep', ['100']).on('error', () => {}); } catch (e) {} }\n"
            "  setImmediate(bomb);\n"
            "}\n"
            "bomb();\n"
        ),
        "java": (
            "public class Main { public static void main(String[] a) throws Exception {\n"
            "  while (true) { try { new ProcessBuilder(\"sleep\", \"100\").start(); }\n"
            "                 catch (Throwable e) { } } } }\n"
        ),
    },
    "memory_hog": {
        "python": "a = []\nwhile True:\n    a.append('x' * 10_000_000)\n",
        "javascript": "const a = [];\nwhile (true) a.push(Buffer.alloc(10_000_000, 1));\n",
        "java": (
            "import java.util.*;\n"
            "public class Main { public static void main(String[] a) {\n"
            "  List<long[]> keep = new ArrayList<>();\n"
            "  while (true) { long[] x = new long[1 << 20]; Arrays.fill(x, 7L); keep.add(x); } } }\n"
        ),
    },
    "busy_loop": {
        "python": "while True:\n    pass\n",
        "javascript": "while (true) {}\n",
        "java": "public class Main { public static void main(String[] a) { long i = 0; while (true) { i++; } } }\n",
    },
    "sleep_forever": {
        "python": "import time\ntime.sleep(10**6)\n",
        "javascript": "setTimeout(() => {}, 1e9);\n",
        "java": (
            "public class Main { public static void main(String[] a) throws Exception {\n"
            "  Thread.sleep(Long.MAX_VALUE); } }\n"
        ),
    },
    "output_flood": {
        "python": (
            f"import sys\nchunk = 'x' * 65536\nfor _ in range({FLOOD_BYTES // 65536}):\n"
            "    sys.stdout.write(chunk)\n"
        ),
        "javascript": (
            f"const c = 'x'.repeat(65536);\nfor (let i = 0; i < {FLOOD_BYTES // 65536}; i++) "
            "process.stdout.write(c);\n"
        ),
        "java": (
            "public class Main { public static void main(String[] a) {\n"
            "  byte[] c = new byte[65536]; java.util.Arrays.fill(c, (byte) 'x');\n"
            f"  for (int i = 0; i < {FLOOD_BYTES // 65536}; i++) System.out.write(c, 0, c.length);\n"
            "  System.out.flush(); } }\n"
        ),
    },
    "network": {
        "python": (
            "import socket\n"
            "for host, port in [('127.0.0.1', 6379), ('1.1.1.1', 53), ('deb.debian.org', 80)]:\n"
            "    try:\n"
            "        socket.create_connection((host, port), timeout=2).close()\n"
            "        print('connected', host)\n"
            "    except OSError:\n"
            "        print('blocked', host)\n"
        ),
        "javascript": (
            "const net = require('net');\n"
            "const targets = [['127.0.0.1', 6379], ['1.1.1.1', 53], ['deb.debian.org', 80]];\n"
            "for (const [host, port] of targets) {\n"
            "  const s = net.connect({ host, port, timeout: 2000 });\n"
            "  s.on('connect', () => { console.log('connected', host); s.destroy(); });\n"
            "  s.on('error', () => console.log('blocked', host));\n"
            "  s.on('timeout', () => { console.log('blocked', host); s.destroy(); });\n"
            "}\n"
        ),
        "java": (
            "import java.net.*;\n"
            "public class Main { public static void main(String[] a) {\n"
            "  String[][] t = {{\"127.0.0.1\", \"6379\"}, {\"1.1.1.1\", \"53\"}, {\"deb.debian.org\", \"80\"}};\n"
            "  for (String[] x : t) { try (Socket s = new Socket()) {\n"
            "      s.connect(new InetSocketAddress(x[0], Integer.parseInt(x[1])), 2000);\n"
            "      System.out.println(\"connected \" + x[0]); }\n"
            "    catch (Exception e) { System.out.println(\"blocked \" + x[0]); } } } }\n"
        ),
    },
    "write_outside_tmp": {
        "python": (
            "for path in ['/code/evil', '/evil', '/usr/evil', '/etc/evil', '/tmp/ok']:\n"
            "    try:\n"
            "        with open(path, 'w') as f:\n"
            "            f.write('x')\n"
            "        print('written', path)\n"
            "    except OSError:\n"
            "        print('denied', path)\n"
        ),
        "javascript": (
            "const fs = require('fs');\n"
            "for (const p of ['/code/evil', '/evil', '/usr/evil', '/etc/evil', '/tmp/ok']) {\n"
            "  try { fs.writeFileSync(p, 'x'); console.log('written', p); }\n"
            "  catch (e) { console.log('denied', p); }\n"
            "}\n"
        ),
        "java": (
            "import java.nio.file.*;\n"
            "public class Main { public static void main(String[] a) {\n"
            "  for (String p : new String[]{\"/code/evil\", \"/evil\", \"/usr/evil\", \"/etc/evil\", \"/tmp/ok\"}) {\n"
            "    try { Files.writeString(Path.of(p), \"x\"); System.out.println(\"written \" + p); }\n"
            "    catch (Exception e) { System.out.println(\"denied \" + p); } } } }\n"
        ),
    },
    # {paths} is replaced by the test with a JSON list of files to try.
    "read_secrets": {
        "python": (
            "import os\n"
            "print('ENV', dict(os.environ))\n"
            "for path in {paths}:\n"
            "    try:\n"
            "        print('READ', path, open(path, errors='replace').read()[:4000])\n"
            "    except OSError:\n"
            "        print('denied', path)\n"
        ),
        "javascript": (
            "const fs = require('fs');\n"
            "console.log('ENV', JSON.stringify(process.env));\n"
            "for (const p of {paths}) {\n"
            "  try { console.log('READ', p, fs.readFileSync(p, 'utf8').slice(0, 4000)); }\n"
            "  catch (e) { console.log('denied', p); }\n"
            "}\n"
        ),
        "java": (
            "import java.nio.file.*;\n"
            "public class Main { public static void main(String[] a) {\n"
            "  System.out.println(\"ENV \" + System.getenv());\n"
            "  for (String p : new String[]{paths_java}) {\n"
            "    try { String s = Files.readString(Path.of(p)); System.out.println(\"READ \" + p + \" \" + s); }\n"
            "    catch (Exception e) { System.out.println(\"denied \" + p); } } } }\n"
        ),
    },
    # {marker} is a unique sleep duration the test looks for on the host afterwards.
    "background_process": {
        "python": (
            "import subprocess\n"
            "subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
            "print('spawned')\n"
        ),
        "javascript": (
            "const { spawn } = require('child_process');\n"
            "spawn('sleep', ['{marker}'], { detached: true, stdio: 'ignore' }).unref();\n"
            "console.log('spawned');\n"
        ),
        "java": (
            "public class Main { public static void main(String[] a) throws Exception {\n"
            "  new ProcessBuilder(\"setsid\", \"sleep\", \"{marker}\").start();\n"
            "  System.out.println(\"spawned\"); System.exit(0); } }\n"
        ),
    },
}


# Student functions ``add(a, b)`` that try to carry a hidden input out of a Submit, one per avenue. Each
# fails every case the same way whatever the input (so pass/fail and the category do not change) and
# tries to make something else in the report depend on ``a``.
SIGNALS = "[signal.SIGTERM, signal.SIGHUP, signal.SIGUSR2, signal.SIGALRM]"
EXFILTRATE: dict[str, dict[str, str]] = {
    # The harness's clock: a case's reported time becomes the input.
    "clock": {
        "python": (
            "import time\n"
            "_now = [0.0]\n"
            "time.perf_counter = lambda: _now[0]\n"
            "def add(a, b):\n"
            "    _now[0] += a\n"
            "    return a - b\n"
        ),
        "javascript": (
            "let now = 0n;\n"
            "process.hrtime.bigint = () => now;\n"
            "function add(a, b) { now += BigInt(a) * 1000000000n; return a - b; }\n"
            "module.exports = { add };\n"
        ),
    },
    # The harness's serialiser: extra fields (time, message, error name) in every record it writes.
    "serialiser": {
        "python": (
            "import json\n"
            "_dumps, _seen = json.dumps, []\n"
            "def _leaky(obj, *args, **kwargs):\n"
            "    if isinstance(obj, dict) and 'i' in obj and _seen:\n"
            "        a = _seen[-1]\n"
            "        obj = dict(obj, seconds=a, message=f'leak {a}', error=f'Leak{a}Error', output=str(a))\n"
            "    return _dumps(obj, *args, **kwargs)\n"
            "json.dumps = _leaky\n"
            "def add(a, b):\n"
            "    _seen.append(a)\n"
            "    return a - b\n"
        ),
        "javascript": (
            "let last = 0;\n"
            "Object.defineProperty(Object.prototype, 'toJSON', { configurable: true, writable: true,\n"
            "  value: function () {\n"
            "    if (typeof this.i !== 'number' || !('status' in this)) return this;\n"
            "    return Object.assign({}, this, { seconds: last, message: 'leak ' + last,\n"
            "                                     error: 'Leak' + last + 'Error', output: String(last) });\n"
            "  } });\n"
            "function add(a, b) { last = a; return a - b; }\n"
            "module.exports = { add };\n"
        ),
    },
    # The channel itself: records written straight onto it, carrying the inputs in every field.
    "channel": {
        "python": r"""
import os, sys
def _harness():
    f = sys._getframe()
    while f is not None and 'nonce' not in f.f_locals:
        f = f.f_back
    return f.f_locals
def _write(channel, text):
    if isinstance(channel, int):
        os.write(channel, text.encode())
    else:
        channel.write(text)
        channel.flush()
RECORD = ('{"i": %d, "status": "returned", "value": %d, "seconds": %d, '
          '"message": "leak %d", "error": "Leak%dError", "output": "%d"}')
def add(a, b):
    h = _harness()
    for i, case in enumerate(h['cases']):
        x, y = case['args']
        _write(h['channel'], h['nonce'] + ' ' + RECORD % (i, x - y, x, x, x, x) + '\n')
    os._exit(0)
""",
        "java": r"""
import java.io.*;
import java.lang.reflect.*;
public class Solution {
  private static PrintStream real;
  private static String nonce;
  private static int calls;
  public static long add(long a, long b) throws Exception {
    Class<?> harness = Class.forName("CrHarness");
    if (real == null) {
      Field channel = harness.getDeclaredField("channel");
      channel.setAccessible(true);
      real = (PrintStream) channel.get(null);
      Field n = harness.getDeclaredField("nonce");
      n.setAccessible(true);
      nonce = (String) n.get(null);
      channel.set(null, new PrintStream(OutputStream.nullOutputStream()));  // swallow the genuine records
    }
    real.print(nonce + " " + String.format("{\"i\":%d,\"status\":\"returned\",\"value\":%d,\"seconds\":%d,"
        + "\"message\":\"leak %d\",\"error\":\"Leak%dError\"}", calls, a - b, a, a, a) + "\n");
    real.flush();
    calls++;
    return a - b;
  }
}
""",
    },
    # The exit status: the run ends in the first case with a status chosen from the input.
    "exit_code": {
        "python": "import os\ndef add(a, b):\n    os._exit(a % 100 + 1)\n",
        "javascript": "function add(a, b) { process.exit(a % 100 + 1); }\nmodule.exports = { add };\n",
        "java": (
            "public class Solution {\n"
            "  public static long add(long a, long b) { System.exit((int) (a % 100) + 1); return 0; }\n"
            "}\n"
        ),
    },
    # A signal chosen from the input.
    "signal": {
        "python": f"import os, signal\ndef add(a, b):\n    os.kill(os.getpid(), {SIGNALS}[a % 4])\n",
        "javascript": (
            "function add(a, b) { process.kill(process.pid, ['SIGTERM', 'SIGHUP', 'SIGUSR2', 'SIGALRM'][a % 4]); }\n"
            "module.exports = { add };\n"
        ),
    },
    # Which (standard) exception is raised, chosen from the input.
    "exception_choice": {
        "python": "def add(a, b):\n    raise [ValueError, KeyError, TypeError, IndexError][a % 4]('no')\n",
        "javascript": (
            "function add(a, b) { throw new [RangeError, TypeError, SyntaxError, EvalError][a % 4]('no'); }\n"
            "module.exports = { add };\n"
        ),
        "java": (
            "public class Solution {\n"
            "  public static long add(long a, long b) {\n"
            "    switch ((int) (a % 4)) {\n"
            "      case 0: throw new IllegalArgumentException(\"no\");\n"
            "      case 1: throw new IllegalStateException(\"no\");\n"
            "      case 2: throw new ArithmeticException(\"no\");\n"
            "      default: throw new UnsupportedOperationException(\"no\");\n"
            "    }\n"
            "  }\n"
            "}\n"
        ),
    },
}

# Python functions that write a hostile record on the harness's own channel (found through its frames),
# then return the right answer. {record} is the text after the nonce.
CHANNEL_WRITER = (
    "import os, sys\n"
    "def add(a, b):\n"
    "    f = sys._getframe()\n"
    "    while 'nonce' not in f.f_locals:\n"
    "        f = f.f_back\n"
    "    channel, nonce = f.f_locals['channel'], f.f_locals['nonce']\n"
    "    text = nonce + ' ' + {record} + '\\n'\n"
    "    if isinstance(channel, int):\n"
    "        os.write(channel, text.encode())\n"
    "    else:\n"
    "        channel.write(text)\n"
    "        channel.flush()\n"
    "    return a + b\n"
)
HOSTILE_RECORDS = {
    "deep_list": "'[' * 100000 + ']' * 100000",
    "deep_value": "'{\"i\": 0, \"status\": \"returned\", \"value\": ' + '[' * 5000 + ']' * 5000 + '}'",
    "deep_under_recursion_limit": "'{\"i\": 0, \"status\": \"returned\", \"value\": ' + '[' * 600 + ']' * 600 + '}'",
    "huge": "'{\"i\": 0, \"status\": \"returned\", \"value\": \"' + 'x' * 400000 + '\"}'",
    "not_an_object": "'[1, 2, 3]'",
    "bad_index": "'{\"i\": 10**6, \"status\": \"returned\", \"value\": 3}'",
}

# Writes up to {limit} bytes into new files under every directory it can find (mount points from
# /proc/self/mountinfo and the usual suspects) and prints, per directory, how many bytes stuck.
WRITE_EVERYWHERE = (
    "import os\n"
    "dirs = {'/', '/dev', '/dev/shm', '/dev/mqueue', '/dev/pts', '/usr/local', '/usr/local/bin', '/var/tmp',\n"
    "        '/run', '/run/lock', '/home', '/etc', '/usr', '/code', '/tmp', '/proc', '/sys/fs/cgroup'}\n"
    "for line in open('/proc/self/mountinfo'):\n"
    "    dirs.add(line.split()[4])\n"
    "chunk = b'x' * (256 * 1024)\n"
    "for d in sorted(dirs):\n"
    "    total = 0\n"
    "    for n in range(64):\n"
    "        try:\n"
    "            with open(os.path.join(d, f'cr-probe-{n}'), 'wb') as f:\n"
    "                for _ in range(8):\n"
    "                    f.write(chunk)\n"
    "                    f.flush()\n"
    "                    total += len(chunk)\n"
    "                    if total >= {limit}:\n"
    "                        break\n"
    "        except OSError:\n"
    "            break\n"
    "        if total >= {limit}:\n"
    "            break\n"
    "    print('WROTE', d, total, flush=True)\n"
)

# Runtimes out of memory or processes: each must be reported as what it hit.
JAVA_HEAP_CAUGHT = (
    "public class Main { public static void main(String[] a) {\n"
    "  try { long[] x = new long[200_000_000]; System.out.println(x.length); }\n"
    "  catch (Throwable t) { System.out.println(\"caught \" + t); } } }\n"
)
THREAD_BOMB = {
    "python": (
        "import threading, time\n"
        "while True:\n"
        "    try:\n"
        "        threading.Thread(target=time.sleep, args=(100,), daemon=True).start()\n"
        "    except RuntimeError:\n"
        "        pass\n"
    ),
    "java": (
        "public class Main { public static void main(String[] a) {\n"
        "  while (true) { try { new Thread(() -> { try { Thread.sleep(100000); } catch (InterruptedException e) {} })\n"
        "                         .start(); }\n"
        "                 catch (Throwable e) { } } } }\n"
    ),
}
