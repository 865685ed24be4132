"""Developer tool (issue #12 point 6), run as ``python3 tools/apply_boundary.py .``:

add `field_transformer=typed_fields` to every attrs value class and `@checked` to every
public top-level function (names in the module's __all__) under src/participa."""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(sys.argv[1]) / "src" / "participa"
SKIP = {"boundary.py", "i18n.py", "__main__.py", "_spans.py", "_grouping.py", "_wide.py"}
# (hot kernels: the VOTES spans and their grouping, exact sums)
SKIP_METHODS = {("RuleOptions", "parse")}  # edge parsers that check their own arguments
ONLY = set(sys.argv[2:])  # optional: only these files (paths relative to src/participa)
SKIP_FUNCS = {
    "checked",
    "typed_fields",
    "matches",
    "describe",
    "register",
    "main",
    "timestamp",
    "pool_map",
}  # attrs converters: named functions for mypy, they check themselves
changed = 0
for path in sorted(ROOT.rglob("*.py")):
    if path.name in SKIP or "testing" in path.parts:
        continue
    if ONLY and str(path.relative_to(ROOT)) not in ONLY:
        continue
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    names: set[str] = set()
    for node in tree.body:
        is_all = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        )
        if is_all and isinstance(node.value, (ast.List, ast.Tuple)):
            names = {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
    lines = text.splitlines(keepends=True)
    inserts: list[int] = []
    pending_indent: dict[int, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names and node.name not in SKIP_FUNCS:
            decos = [ast.unparse(d) for d in node.decorator_list]
            if any("checked" in d or "overload" in d or "property" in d for d in decos):
                continue
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            inserts.append(first - 1)
        if isinstance(node, ast.ClassDef) and node.name in names:
            # public alternative constructors: @classmethod / @staticmethod, then @checked
            for item in node.body:
                if not isinstance(item, ast.FunctionDef) or item.name.startswith("_"):
                    continue
                decos = [ast.unparse(d) for d in item.decorator_list]
                if "checked" in decos or not {"classmethod", "staticmethod"} & set(decos):
                    continue
                if (node.name, item.name) in SKIP_METHODS:
                    continue
                if any("overload" in d for d in decos):
                    continue
                last = max(d.end_lineno for d in item.decorator_list)
                inserts.append(last)  # after the last decorator, before ``def``
                pending_indent[last] = " " * item.col_offset
    new_text = text
    if inserts:
        for idx in sorted(inserts, reverse=True):
            lines.insert(idx, pending_indent.get(idx, "") + "@checked\n")
        new_text = "".join(lines)
    new_text2 = re.sub(
        r"@attrs\.frozen\(slots=True(, eq=False)?\)",
        lambda m: f"@attrs.frozen(slots=True{m.group(1) or ''}, field_transformer=typed_fields)",
        new_text,
    )
    new_text2 = re.sub(
        r"^@attrs\.(define|frozen)$",
        r"@attrs.\1(field_transformer=typed_fields)",
        new_text2,
        flags=re.M,
    )
    # private classes stay as they are (no checks on internal helpers)
    new_text2 = re.sub(
        r"(@attrs\.\w+\([^)\n]*?), field_transformer=typed_fields\)(\nclass _)", r"\1)\2", new_text2
    )
    new_text2 = re.sub(
        r"@attrs\.(\w+)\(field_transformer=typed_fields\)(\nclass _)", r"@attrs.\1\2", new_text2
    )
    needs = []
    imported = re.search(r"^from participa\.boundary import [^\n]*\bchecked\b", new_text2, re.M)
    if "@checked" in new_text2 and not imported:
        needs.append("checked")
    has_tf = re.search(r"^from participa\.boundary import [^\n]*\btyped_fields\b", text, re.M)
    if "field_transformer=typed_fields" in new_text2 and not has_tf:
        needs.append("typed_fields")
    if needs:
        imp = f"from participa.boundary import {', '.join(sorted(needs))}\n"
        # after the last top-level import statement
        tree2 = ast.parse(new_text2)
        last = max(
            (
                n.end_lineno
                for n in tree2.body
                if isinstance(n, (ast.Import, ast.ImportFrom)) and n.col_offset == 0
            ),
            default=0,
        )
        ls = new_text2.splitlines(keepends=True)
        ls.insert(last, imp)
        new_text2 = "".join(ls)
    if new_text2 != text:
        path.write_text(new_text2, encoding="utf-8")
        changed += 1
print("files changed:", changed)
