"""Reading a student's repository as data: refs, commits, trees and blobs from a workspace's files, in pure
Python — loose objects and pack files (v2 index, offset and ref deltas) — without running git.

A student controls every byte of their workspace, including the shared remote (they can write into it
directly), so nothing here trusts it: every object read is checked against its sha (a forged object is
"missing"), sizes, delta chains and walks are bounded, and a malformed file raises ``GitReadError`` rather
than anything else. Alternates, hooks and configuration are ignored: there is no git process to honour them.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import struct
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SHA = re.compile(r"[0-9a-f]{40}")
MAX_OBJECT_BYTES = 8 * 1024 * 1024
# All objects one reader inflates together: a few megabytes of pack can inflate to gigabytes (deltas copying a
# big blob over and over), so the total is bounded, not only each object.
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_DELTA_DEPTH = 64
MAX_WALK = 5000  # commits
MAX_TREE_ENTRIES = 5000
TYPES = {1: "commit", 2: "tree", 3: "blob", 4: "tag"}


class GitReadError(Exception):
    """The repository is missing, malformed or does not hold what was asked for."""


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: str  # "Name <email>"
    author_time: int
    author_offset: str  # "+0100"
    message: str

    @property
    def author_name(self) -> str:
        return self.author.split(" <", 1)[0]

    @property
    def author_email(self) -> str:
        match = re.search(r"<([^>]*)>", self.author)
        return match.group(1) if match else ""


def _inflate(data: bytes, start: int = 0, limit: int = MAX_OBJECT_BYTES) -> bytes:
    stream = zlib.decompressobj()
    try:
        out = stream.decompress(data[start:], limit + 1)
    except zlib.error as exc:
        raise GitReadError(f"corrupt compressed data: {exc}") from None
    if len(out) > limit:
        raise GitReadError("an object is larger than allowed")
    return out


def _apply_delta(base: bytes, delta: bytes) -> bytes:
    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            if pos >= len(delta):
                raise GitReadError("truncated delta")
            byte = delta[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value, pos

    source_size, pos = varint(0)
    target_size, pos = varint(pos)
    if source_size != len(base) or target_size > MAX_OBJECT_BYTES:
        raise GitReadError("a delta does not fit its base")
    out = bytearray()
    while pos < len(delta):
        op = delta[pos]
        pos += 1
        if op & 0x80:
            offset = size = 0
            for bit in range(4):
                if op & (1 << bit):
                    offset |= delta[pos] << (8 * bit)
                    pos += 1
            for bit in range(3):
                if op & (0x10 << bit):
                    size |= delta[pos] << (8 * bit)
                    pos += 1
            size = size or 0x10000
            if offset + size > len(base):
                raise GitReadError("a delta copies past its base")
            out += base[offset:offset + size]
        elif op:
            out += delta[pos:pos + op]
            pos += op
        else:
            raise GitReadError("a delta has a reserved opcode")
        if len(out) > target_size:
            raise GitReadError("a delta writes past its size")
    if len(out) != target_size:
        raise GitReadError("a delta's result has the wrong size")
    return bytes(out)


class _Pack:
    def __init__(self, index: bytes, pack: bytes) -> None:
        if index[:4] != b"\xfftOc" or struct.unpack(">I", index[4:8])[0] != 2 or pack[:4] != b"PACK":
            raise GitReadError("a pack or its index is not in version 2")
        count = struct.unpack(">I", index[8 + 255 * 4:8 + 256 * 4])[0]
        names_at = 8 + 256 * 4
        offsets_at = names_at + count * 20 + count * 4
        large_at = offsets_at + count * 4
        if len(index) < large_at:
            raise GitReadError("a pack index is truncated")
        self.names = [index[names_at + i * 20:names_at + (i + 1) * 20].hex() for i in range(count)]
        self.offsets: list[int] = []
        for i in range(count):
            value = struct.unpack(">I", index[offsets_at + i * 4:offsets_at + i * 4 + 4])[0]
            if value & 0x80000000:
                at = large_at + (value & 0x7FFFFFFF) * 8
                value = struct.unpack(">Q", index[at:at + 8])[0]
            self.offsets.append(value)
        self.by_offset = dict(zip(self.offsets, self.names, strict=True))
        self.pack = pack

    def find(self, sha: str) -> int | None:
        i = bisect.bisect_left(self.names, sha)
        return self.offsets[i] if i < len(self.names) and self.names[i] == sha else None


class Repository:
    """One repository (``git_dir`` = "remote.git" or "repo/.git") among a workspace's files."""

    def __init__(self, files: Mapping[str, bytes], git_dir: str) -> None:
        self.files = files
        self.git_dir = git_dir.rstrip("/") + "/"
        self._packs: list[_Pack] | None = None
        self._cache: dict[str, tuple[str, bytes]] = {}
        self._budget = MAX_TOTAL_BYTES

    def exists(self) -> bool:
        return self.git_dir + "HEAD" in self.files

    def _file(self, name: str) -> bytes | None:
        return self.files.get(self.git_dir + name)

    # -- refs --------------------------------------------------------------------------------------------------
    def refs(self) -> dict[str, str]:
        """Every ref under refs/ (loose ones win over packed-refs) -> sha."""
        out: dict[str, str] = {}
        packed = self._file("packed-refs")
        if packed:
            for line in packed.decode("utf-8", "replace").splitlines():
                parts = line.split(" ", 1)
                if len(parts) == 2 and SHA.fullmatch(parts[0]) and parts[1].startswith("refs/"):
                    out[parts[1].strip()] = parts[0]
        for path in self.files:
            if path.startswith(self.git_dir + "refs/"):
                value = self.files[path].decode("utf-8", "replace").strip()
                if SHA.fullmatch(value):
                    out[path[len(self.git_dir):]] = value
        return out

    def resolve(self, name: str) -> str | None:
        """A ref ("HEAD", "refs/heads/main") to a sha, following symbolic refs; None when it does not exist."""
        refs = None
        for _ in range(5):
            if name == "HEAD":
                raw = self._file("HEAD")
                if raw is None:
                    return None
                value = raw.decode("utf-8", "replace").strip()
            else:
                refs = self.refs() if refs is None else refs
                value = refs.get(name, "")
                raw_value = self._file(name)
                if raw_value is not None and raw_value.startswith(b"ref: "):
                    value = raw_value.decode("utf-8", "replace").strip()
            if value.startswith("ref: "):
                name = value[5:].strip()
                continue
            return value if SHA.fullmatch(value) else None
        return None

    def head_branch(self) -> str | None:
        raw = self._file("HEAD")
        value = raw.decode("utf-8", "replace").strip() if raw else ""
        return value[len("ref: refs/heads/"):] if value.startswith("ref: refs/heads/") else None

    # -- objects -------------------------------------------------------------------------------------------------
    def _load_packs(self) -> list[_Pack]:
        if self._packs is None:
            packs = []
            prefix = self.git_dir + "objects/pack/"
            for path in sorted(self.files):
                if path.startswith(prefix) and path.endswith(".idx"):
                    data = self.files.get(path[:-4] + ".pack")
                    if data is None:
                        continue
                    try:
                        packs.append(_Pack(self.files[path], data))
                    except (GitReadError, struct.error, IndexError):
                        continue  # a broken pack is as good as none
            self._packs = packs
        return self._packs

    def _charge(self, data: bytes) -> bytes:
        self._budget -= len(data)
        if self._budget < 0:
            raise GitReadError("the repository holds more data than can be read")
        return data

    def _packed(self, pack: _Pack, offset: int, depth: int = 0) -> tuple[str, bytes]:
        if depth > MAX_DELTA_DEPTH:
            raise GitReadError("a delta chain is too long")
        data = pack.pack
        try:
            byte = data[offset]
            kind = (byte >> 4) & 7
            pos = offset + 1
            while byte & 0x80:
                byte = data[pos]
                pos += 1
            if kind == 6:  # delta against an earlier object of this pack
                byte = data[pos]
                pos += 1
                distance = byte & 0x7F
                while byte & 0x80:
                    byte = data[pos]
                    pos += 1
                    distance = ((distance + 1) << 7) | (byte & 0x7F)
                base_kind, base = self._packed(pack, offset - distance, depth + 1)
                return base_kind, self._charge(_apply_delta(base, self._charge(_inflate(data, pos))))
            if kind == 7:  # delta against an object named by sha
                base_sha = data[pos:pos + 20].hex()
                base_kind, base = self._object(base_sha, depth + 1)
                return base_kind, self._charge(_apply_delta(base, self._charge(_inflate(data, pos + 20))))
        except IndexError:
            raise GitReadError("a pack is truncated") from None
        if kind not in TYPES:
            raise GitReadError("a pack holds an object of unknown type")
        return TYPES[kind], self._charge(_inflate(data, pos))

    def _object(self, sha: str, depth: int = 0) -> tuple[str, bytes]:
        if sha in self._cache:
            return self._cache[sha]
        if not SHA.fullmatch(sha):
            raise GitReadError(f"not an object name: {sha[:40]!r}")
        found: tuple[str, bytes] | None = None
        loose = self._file(f"objects/{sha[:2]}/{sha[2:]}")
        if loose is not None:
            raw = self._charge(_inflate(loose, 0, MAX_OBJECT_BYTES + 64))
            header, _, body = raw.partition(b"\0")
            kind, _, size = header.decode("ascii", "replace").partition(" ")
            if kind in TYPES.values() and size.isdigit() and int(size) == len(body):
                found = (kind, body)
        if found is None:
            for pack in self._load_packs():
                offset = pack.find(sha)
                if offset is not None:
                    found = self._packed(pack, offset, depth)
                    break
        if found is None:
            raise GitReadError(f"object {sha[:10]} is missing")
        kind, body = found
        if hashlib.sha1(f"{kind} {len(body)}\0".encode() + body).hexdigest() != sha:
            raise GitReadError(f"object {sha[:10]} does not match its name")
        self._cache[sha] = found
        return found

    def has(self, sha: str) -> bool:
        try:
            self._object(sha)
        except GitReadError:
            return False
        return True

    def commit(self, sha: str) -> Commit:
        kind, body = self._object(sha)
        if kind == "tag":  # an annotated tag: follow it to its commit
            target = re.match(rb"object ([0-9a-f]{40})\n", body)
            if not target:
                raise GitReadError("a malformed tag")
            return self.commit(target.group(1).decode())
        if kind != "commit":
            raise GitReadError(f"{sha[:10]} is a {kind}, not a commit")
        head, _, message = body.partition(b"\n\n")
        tree, parents, author, when, offset = "", [], "", 0, "+0000"
        for line in head.decode("utf-8", "replace").split("\n"):
            key, _, value = line.partition(" ")
            if key == "tree":
                tree = value
            elif key == "parent":
                parents.append(value)
            elif key == "author":
                match = re.fullmatch(r"(.*) (\d+) ([+-]\d{4})", value)
                if match:
                    author, when, offset = match.group(1), int(match.group(2)), match.group(3)
        if not SHA.fullmatch(tree) or not all(SHA.fullmatch(p) for p in parents):
            raise GitReadError(f"commit {sha[:10]} is malformed")
        return Commit(sha, tree, tuple(parents), author, when, offset, message.decode("utf-8", "replace"))

    def tree_files(self, tree: str) -> dict[str, str]:
        """path -> blob sha of every file under ``tree`` (submodules and symlinks skipped)."""
        out: dict[str, str] = {}
        stack = [("", tree)]
        entries = 0
        while stack:
            prefix, sha = stack.pop()
            kind, body = self._object(sha)
            if kind != "tree":
                raise GitReadError(f"{sha[:10]} is not a tree")
            pos = 0
            while pos < len(body):
                space = body.index(b" ", pos)
                nul = body.index(b"\0", space)
                mode = body[pos:space].decode("ascii", "replace")
                name = body[space + 1:nul].decode("utf-8", "replace")
                child = body[nul + 1:nul + 21].hex()
                pos = nul + 21
                entries += 1
                if entries > MAX_TREE_ENTRIES:
                    raise GitReadError("a tree has too many entries")
                if mode in ("40000", "040000"):
                    stack.append((f"{prefix}{name}/", child))
                elif mode.startswith("100"):
                    out[prefix + name] = child
        return out

    def blob_text(self, sha: str) -> str:
        kind, body = self._object(sha)
        if kind != "blob":
            raise GitReadError(f"{sha[:10]} is not a blob")
        return body.decode("utf-8", "replace")

    def files_at(self, commit: str) -> dict[str, str]:
        """path -> text of every file in a commit's tree."""
        return {path: self.blob_text(blob) for path, blob in self.tree_files(self.commit(commit).tree).items()}

    # -- history -----------------------------------------------------------------------------------------------
    def walk(self, heads: Iterable[str], stop: Iterable[str] = (), limit: int = MAX_WALK) -> list[Commit]:
        """Commits reachable from ``heads`` and not from ``stop`` (those not walked past), newest first by
        author time; raises GitReadError past ``limit`` commits or at a missing one."""
        stop_set = set(stop)
        seen: set[str] = set()
        out: list[Commit] = []
        pending = [h for h in heads if h not in stop_set]
        while pending:
            sha = pending.pop()
            if sha in seen or sha in stop_set:
                continue
            seen.add(sha)
            if len(seen) > limit:
                raise GitReadError(f"more than {limit} commits")
            commit = self.commit(sha)
            out.append(commit)
            pending += [p for p in commit.parents if p not in seen and p not in stop_set]
        out.sort(key=lambda c: (c.author_time, c.sha), reverse=True)
        return out

    def is_ancestor(self, ancestor: str, descendant: str, limit: int = MAX_WALK) -> bool:
        if ancestor == descendant:
            return True
        try:
            return any(c.sha == ancestor for c in self.walk([descendant], limit=limit))
        except GitReadError:
            return False
