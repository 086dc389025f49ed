#!/usr/bin/env python3
"""Prints the import circles between the files of a Rust crate; exits 1 if there is one.

    scripts/import-cycles.py sim          # or sim/src, host, host/src ...
    scripts/import-cycles.py --edges sim  # also print every file-to-file edge

From each crate root in `src/` (lib.rs, main.rs, bin/*.rs) it follows the `mod x;`
declarations to map module paths to files, then reads every file for references to
other modules: `use` declarations (`crate::`, `super::`, `self::` and child-module
paths, with `{...}` trees expanded) and paths in code (`crate::a::b`, `super::x`,
`child::f`). A reference resolves to the file of the longest module prefix it names,
so `crate::records::Direction` is `records/mod.rs` and `crate::records::call::X` is
`records/call.rs`. Declaring a child (`mod x;`) is not a reference: a parent that only
declares its children does not depend on them. Comments and string literals are
skipped; `#[path]` attributes and macro-generated paths are not understood.
"""

import argparse
import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_comments_and_strings(text):
    """Blanks comments, string and char literals, keeping newlines (for line numbers)."""
    out = []
    i, n = 0, len(text)

    def blank(chunk):
        out.append("".join(c if c == "\n" else " " for c in chunk))

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            blank(text[i:end])
            i = end
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(text[i:j])
            i = j
        elif (raw := re.match(r'b?r(#*)"', text[i:])) and (i == 0 or not re.match(r"\w", text[i - 1])):
            close = '"' + raw.group(1)
            end = text.find(close, i + raw.end())
            end = n if end < 0 else end + len(close)
            blank(text[i:end])
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            blank(text[i : j + 1])
            i = j + 1
        elif c == "'" and (char := re.match(r"'(\\(x..|u\{[0-9a-fA-F]+\}|.)|[^\\'])'", text[i:], re.S)):
            blank(char.group(0))
            i += char.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_use_tree(tree):
    """`a::{b, c::{self, d}}` -> [[a, b], [a, c], [a, c, d]]; globs and renames dropped."""
    tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+" + IDENT, "", tree))
    paths = []

    def walk(prefix, text):
        # Split `text` at top-level commas.
        parts, depth, start = [], 0, 0
        for k, ch in enumerate(text):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(text[start:k])
                start = k + 1
        parts.append(text[start:])
        for part in filter(None, parts):
            brace = part.find("{")
            if brace >= 0:
                head = [s for s in part[:brace].split("::") if s]
                walk(prefix + head, part[brace + 1 : part.rindex("}")])
                continue
            segments = [s for s in part.split("::") if s and s != "*"]
            if segments and segments[-1] == "self":
                segments = segments[:-1]
            paths.append(prefix + segments)

    walk([], tree)
    return paths


class Crate:
    def __init__(self, root):
        self.root = root
        self.modules = {}  # module path (tuple) -> file
        self.children = {}  # module path -> {child names}
        self.texts = {}  # file -> stripped text
        self.load(root, (), is_dir_owner=True)

    def load(self, path, module, is_dir_owner):
        if not path.exists():
            return
        text = strip_comments_and_strings(path.read_text(encoding="utf-8"))
        self.texts[path] = text
        child_dir = path.parent if is_dir_owner else path.parent / path.stem
        for inline, name, nested_dir, at in self.declarations(text):
            full = module + inline + (name,)
            self.children.setdefault(module + inline, set()).add(name)
            if at == "inline":
                self.modules[full] = path
                continue
            base = child_dir.joinpath(*nested_dir)
            for candidate, owner in ((base / f"{name}.rs", False), (base / name / "mod.rs", True)):
                if candidate.exists():
                    self.modules[full] = candidate
                    self.load(candidate, full, owner)
                    break
        self.modules[module] = path

    @staticmethod
    def declarations(text):
        """(inline module path, name, inline dirs, 'file'|'inline') for each `mod` in `text`."""
        found, stack, depth = [], [], 0
        for m in re.finditer(r"\bmod\s+(" + IDENT + r")\s*([;{])|[{}]", text):
            token = m.group(0)
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
                if stack and stack[-1][1] == depth:
                    stack.pop()
            else:
                inline = tuple(name for name, _ in stack)
                kind = "inline" if m.group(2) == "{" else "file"
                found.append((inline, m.group(1), inline, kind))
                if kind == "inline":
                    stack.append((m.group(1), depth))
                    depth += 1
        return found

    def file_module(self, path):
        return next(module for module, file in self.modules.items() if file == path and not self.is_inline(module))

    def is_inline(self, module):
        return bool(module) and self.modules.get(module) == self.modules.get(module[:-1])

    def resolve(self, here, segments):
        """The file `segments`, written in module `here`, names; None for other crates."""
        if not segments:
            return None
        first = segments[0]
        if first == "crate":
            base, rest = (), segments[1:]
        elif first in ("super", "self"):
            base, rest = here, segments
            while rest and rest[0] in ("super", "self"):
                base = base[:-1] if rest[0] == "super" else base
                rest = rest[1:]
        elif first in self.children.get(here, ()):
            base, rest = here, segments
        else:
            return None
        full = tuple(base) + tuple(rest)
        for k in range(len(full), -1, -1):
            if full[:k] in self.modules:
                return self.modules[full[:k]]
        return None

    def references(self, path):
        """(line, referenced file) for every reference in `path` to another module."""
        text, module = self.texts[path], self.file_module(path)
        stack, depth = [], 0
        # Where each inline module opens and closes, to know which module a reference is in.
        scopes = []
        for m in re.finditer(r"\bmod\s+(" + IDENT + r")\s*\{|[{}]", text):
            token = m.group(0)
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
                if stack and stack[-1][1] == depth:
                    stack.pop()
                    scopes.append((m.end(), tuple(name for name, _ in stack)))
            else:
                stack.append((m.group(1), depth))
                depth += 1
                scopes.append((m.end(), tuple(name for name, _ in stack)))

        def module_at(offset):
            current = ()
            for start, inline in scopes:
                if start > offset:
                    break
                current = inline
            return module + current

        found = []
        use_spans = []
        for m in re.finditer(r"\buse\s+([^;]+);", text):
            use_spans.append((m.start(), m.end()))
            here = module_at(m.start())
            for segments in expand_use_tree(m.group(1)):
                found.append((m.start(), self.resolve(here, segments)))
        path_pattern = r"(?<![A-Za-z0-9_:])(" + IDENT + r")((?:\s*::\s*" + IDENT + r")+)"
        for m in re.finditer(path_pattern, text):
            if any(start <= m.start() < end for start, end in use_spans):
                continue
            segments = [m.group(1)] + [s.strip() for s in m.group(2).split("::") if s.strip()]
            found.append((m.start(), self.resolve(module_at(m.start()), segments)))
        return [(text.count("\n", 0, at) + 1, target) for at, target in found if target and target != path]


def tarjan(graph):
    index, low, on_stack, stack, sccs, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            sccs.append(sorted(scc))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [scc for scc in sccs if len(scc) > 1]


def one_cycle(graph, scc):
    """A shortest cycle through the first file of `scc`, staying inside it."""
    start, members = scc[0], set(scc)
    previous, queue = {start: None}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w == start:
                cycle = [v]
                while previous[cycle[-1]] is not None:
                    cycle.append(previous[cycle[-1]])
                return list(reversed(cycle)) + [start]
            if w in members and w not in previous:
                previous[w] = v
                queue.append(w)
    return scc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("crate", help="a crate folder or its src/ folder")
    parser.add_argument("--edges", action="store_true", help="print every file-to-file reference")
    args = parser.parse_args()
    src = Path(args.crate)
    if (src / "src").is_dir():
        src = src / "src"
    roots = [p for p in (src / "lib.rs", src / "main.rs") if p.exists()] + sorted((src / "bin").glob("*.rs"))
    if not roots:
        sys.exit(f"{src}: no lib.rs, main.rs or bin/*.rs")

    circles = 0
    for root in roots:
        crate = Crate(root)
        graph, lines = {}, {}
        for path in crate.texts:
            graph.setdefault(path, set())
            for line, target in crate.references(path):
                graph[path].add(target)
                lines.setdefault((path, target), line)
        name = lambda p: str(p.relative_to(src))  # noqa: E731
        if args.edges:
            for path in sorted(graph):
                for target in sorted(graph[path]):
                    print(f"{name(path)}:{lines[(path, target)]} -> {name(target)}")
        sccs = tarjan(graph)
        for scc in sccs:
            cycle = one_cycle(graph, scc)
            steps = " -> ".join(
                f"{name(a)}:{lines[(a, b)]}" for a, b in zip(cycle, cycle[1:])
            ) + f" -> {name(cycle[-1])}"
            print(f"{name(root)}: circle among {', '.join(name(p) for p in scc)}\n  e.g. {steps}")
        circles += len(sccs)
        if not sccs:
            print(f"{name(root)}: no import circle among {len(graph)} files")
    sys.exit(1 if circles else 0)


if __name__ == "__main__":
    main()
