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
