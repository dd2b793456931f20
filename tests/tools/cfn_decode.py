"""Print a CloudFormation template as cfn-lint itself reads it, as JSON (for round-trip tests)."""
import json
import sys

from cfnlint.decode import decode

template, matches = decode(sys.argv[1])
if matches:
    for m in matches:
        print(m, file=sys.stderr)
    sys.exit(1)
json.dump(template, sys.stdout, ensure_ascii=False, sort_keys=True, default=str)
