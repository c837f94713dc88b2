#!/usr/bin/env python3
"""The house rules of `src/` that a compiler does not check (`make structure`).

1. No import cycle between modules. A module may use its children, its
   ancestors and their other descendants, but among the children of any one
   module the uses must run one way: if anything under `services/` uses
   `cache/`, nothing under `cache/` may use `services/`. A module's own file
   (`mod.rs`) counts as one more child beside the others, so a parent that
   uses a child and is used by it back is a cycle too. `pub use`
   re-exports are followed to what they name rather than counted as uses.
2. No file over 500 lines (`schema.rs`, generated, aside).
3. No function over 80 lines.

Uses are read from `use` declarations and from paths written out in the code
(`crate::db::DbConn`, `super::now()`); `#[cfg(test)]` modules are left out, as
tests may reach anywhere. Prints what it finds and exits 1 if anything breaks
a rule.
"""

import os
import re
import sys
from collections import defaultdict

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
GENERATED = {"schema.rs"}
SELF = "(self)"


def blank_literals(text):
    """The text with comments, strings and char literals replaced by spaces
    (newlines kept), so that braces and paths in them are not read."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
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
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif re.match(r'(b?r#*")', text[i:i + 10]) and (i == 0 or not text[i - 1].isalnum()):
            prefix = re.match(r'b?r(#*)"', text[i:]).group(0)
            hashes = prefix.count("#")
            end = text.find('"' + "#" * hashes, i + len(prefix))
            end = n if end < 0 else end + 1 + hashes
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        elif c == "'":
            match = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if match:
                out.append(" " * len(match.group(0)))
                i += len(match.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(text, open_at):
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


def without_test_modules(code):
    """Blanks `#[cfg(test)] mod … { … }` blocks."""
    while True:
        match = re.search(r"#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{", code)
        if not match:
            return code
        end = matching_brace(code, match.end() - 1)
        code = code[:match.start()] + re.sub(r"[^\n]", " ", code[match.start():end + 1]) + code[end + 1:]


def module_files():
    """Module path (a tuple, () for the crate root) → file."""
    modules = {}
    for directory, _, files in os.walk(ROOT):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(directory, name)
            parts = os.path.relpath(path, ROOT)[:-3].split(os.sep)
            if parts == ["main"]:
                continue  # the binary: a crate of its own
            if parts[-1] in ("mod", "lib"):
                parts = parts[:-1]
            modules[tuple(parts)] = path
    return modules


def expand_use_tree(tree):
    """`a::{b, c::{d, e}}` → [a::b, a::c::d, a::c::e]."""
    tree = re.sub(r"\s+", "", tree)
    brace = tree.find("{")
    if brace < 0:
        return [re.sub(r"::self$", "", re.sub(r"\bas\w+$", "", tree))]
    prefix, inner = tree[:brace], tree[brace + 1:matching_brace(tree, brace)]
    parts, depth, start = [], 0, 0
    for j, c in enumerate(inner):
        depth += c == "{"
        depth -= c == "}"
        if c == "," and depth == 0:
            parts.append(inner[start:j])
            start = j + 1
    parts.append(inner[start:])
    paths = []
    for part in filter(None, parts):
        for path in expand_use_tree(part):
            paths.append(prefix + path if path != "self" else prefix.rstrip(":"))
    return paths


def uses_of(code):
    """Paths the code uses, and the paths its `pub use` re-exports (name → path)."""
    uses, reexports = [], {}
    for match in re.finditer(r"(?<![\w:])(pub(\([^)]*\))?\s+)?use\s+([^;]+);", code):
        paths = expand_use_tree(match.group(3))
        if match.group(1):
            for path in paths:
                reexports[path.split("::")[-1]] = path
        else:
            uses.extend(paths)
    body = re.sub(r"(?<![\w:])(pub(\([^)]*\))?\s+)?use\s+[^;]+;", "", code)
    uses.extend(re.findall(r"(?<![\w:])((?:crate|super|self)(?:::\w+)+)", body))
    return uses, reexports


def resolve(path, module, modules, reexports, seen=()):
    """The module a path names (the deepest module it reaches)."""
    parts = path.split("::")
    if parts[0] == "crate":
        base, parts = (), parts[1:]
    elif parts[0] in ("super", "self"):
        base = module
        while parts and parts[0] in ("super", "self"):
            if parts[0] == "super":
                base = base[:-1]
            parts = parts[1:]
    else:
        return None  # an external crate, or a name imported some other way
    target = base
    for part in parts:
        if target + (part,) in modules:
            target = target + (part,)
            continue
        reexport = reexports.get(target, {}).get(part)
        if reexport and (target, part) not in seen:
            return resolve(reexport, target, modules, reexports, seen + ((target, part),))
        break
    return target


def module_cycles(modules, sources):
    reexports, uses = {}, {}
    for module, path in modules.items():
        uses[module], reexports[module] = uses_of(sources[path])
    # `#[macro_export]` puts a macro at the crate root: it belongs to the
    # module that defines it.
    for module, path in modules.items():
        for name in re.findall(r"#\[macro_export\]\s*macro_rules!\s*(\w+)", sources[path]):
            reexports.setdefault((), {})[name] = "crate::" + "::".join(module + (name,))
    # Edges between siblings: (parent, from child, to child).
    edges = defaultdict(set)
    witnesses = {}
    for module, paths in uses.items():
        for path in paths:
            target = resolve(path, module, modules, reexports)
            if target is None or target == module:
                continue
            common = 0
            while common < min(len(module), len(target)) and module[common] == target[common]:
                common += 1
            parent = module[:common]
            source = module[common] if len(module) > common else SELF
            dest = target[common] if len(target) > common else SELF
            if source == dest:
                continue
            edges[parent].add((source, dest))
            witnesses.setdefault((parent, source, dest), f"{'::'.join(module) or 'crate'} uses {path}")
    problems = []
    for parent, pairs in sorted(edges.items()):
        graph = defaultdict(set)
        for source, dest in pairs:
            graph[source].add(dest)
        for cycle in find_cycles(graph):
            name = "::".join(parent) or "crate"
            steps = [witnesses[(parent, a, b)] for a, b in zip(cycle, cycle[1:] + cycle[:1])]
            problems.append(f"import cycle among the modules of {name}: "
                            f"{' -> '.join(cycle + cycle[:1])}\n      " + "\n      ".join(steps))
    return problems


def find_cycles(graph):
    """One cycle per strongly connected component that has one."""
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def connect(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(a_cycle_within(graph, set(component)))

    for node in sorted(list(graph)):
        if node not in index:
            connect(node)
    return cycles


def a_cycle_within(graph, component):
    start = min(component)
    path, seen = [start], {start}
    while True:
        nxt = min(n for n in graph[path[-1]] if n in component)
        if nxt in seen:
            return path[path.index(nxt):]
        path.append(nxt)
        seen.add(nxt)


def long_functions(path, code):
    problems = []
    for match in re.finditer(r"(?<![\w])fn\s+(\w+)[^;{]*\{", code):
        open_at = match.end() - 1
        close_at = matching_brace(code, open_at)
        first = code.count("\n", 0, match.start()) + 1
        last = code.count("\n", 0, close_at) + 1
        if last - first + 1 > MAX_FUNCTION_LINES:
            problems.append(f"{os.path.relpath(path, os.path.dirname(ROOT))}:{first}: "
                            f"fn {match.group(1)} is {last - first + 1} lines "
                            f"(at most {MAX_FUNCTION_LINES})")
    return problems


def main():
    modules = module_files()
    raw = {path: open(path, encoding="utf-8").read() for path in modules.values()}
    code = {path: blank_literals(text) for path, text in raw.items()}
    problems = module_cycles(modules, {p: without_test_modules(c) for p, c in code.items()})
    for path, text in sorted(raw.items()):
        lines = text.count("\n")
        if os.path.basename(path) not in GENERATED and lines > MAX_FILE_LINES:
            problems.append(f"{os.path.relpath(path, os.path.dirname(ROOT))}: "
                            f"{lines} lines (at most {MAX_FILE_LINES})")
        problems.extend(long_functions(path, code[path]))
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{len(modules)} modules: no import cycle, no file over {MAX_FILE_LINES} lines, "
          f"no function over {MAX_FUNCTION_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
