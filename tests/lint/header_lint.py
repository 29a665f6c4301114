#!/usr/bin/env python3
"""Checks the installed public headers (include/superbet/**/*.h):
  1. every public function that returns absl::Status or absl::StatusOr is [[nodiscard]];
  2. no header cites ARCHITECTURE.md (or a bare "§x.y" of it): that document is not installed, so
     a header states the decided values itself.

Scans include/superbet/**/*.h for declarations that begin with absl::Status or absl::StatusOr<...>
(optionally after static/virtual/inline/friend) and are functions (a '(' follows the name), and
fails naming each one that is not marked [[nodiscard]] on its line or the line above.
Usage: nodiscard_lint.py INCLUDE_DIR
"""
import pathlib
import re
import sys

DECL = re.compile(r'^\s*(?:(?:static|virtual|inline|friend|constexpr|explicit)\s+)*'
                  r'absl::Status(?:Or<.*>)?\s+[A-Za-z_][A-Za-z0-9_:]*\s*\(')


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    missing = []
    headers = sorted(root.rglob('*.h'))
    citations = []
    for header in headers:
        lines = header.read_text(encoding='utf-8').split('\n')
        for i, line in enumerate(lines):
            if 'ARCHITECTURE' in line or re.search(r'\(§\d', line):
                citations.append(f'{header}:{i + 1}: {line.strip()}')
            if line.lstrip().startswith('//') or not DECL.match(line):
                continue
            previous = lines[i - 1] if i > 0 else ''
            if '[[nodiscard]]' not in line and previous.strip() != '[[nodiscard]]':
                missing.append(f'{header}:{i + 1}: {line.strip()}')
    if not headers:
        print(f'no headers under {root}')
        return 1
    for m in missing:
        print(f'missing [[nodiscard]]: {m}')
    for c in citations:
        print(f'cites a document that is not installed: {c}')
    print(f'{len(headers)} headers, {len(missing)} Status-returning declarations without '
          f'[[nodiscard]], {len(citations)} citations of ARCHITECTURE.md')
    return 1 if missing or citations else 0


if __name__ == '__main__':
    sys.exit(main())
