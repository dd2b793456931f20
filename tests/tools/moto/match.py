"""moto's verdict on EventBridge pattern/event pairs, for tests/moto_differential.rs.

Usage: match.py PAIRS.jsonl
Reads one JSON object per line, {"pattern": {...}, "event": {...}}, and prints a header line
"moto <version>" followed by one line per pair: "1" (matches), "0" (does not match) or
"E <error>" (moto rejected the pattern or failed). The pattern goes through moto's PutRule
parser (EventPattern.load) and then EventPattern.matches_event, as moto's PutEvents does.
Exits 2 when moto cannot be imported, so the test fails instead of skipping.
"""

import json
import sys

try:
    import moto
    from moto.events.models import EventPattern
except Exception as exc:  # noqa: BLE001 - any import failure must fail the test loudly
    print(f"cannot import moto's EventBridge pattern matcher: {exc!r}", file=sys.stderr)
    sys.exit(2)


def main(path: str) -> None:
    out = [f"moto {moto.__version__}"]
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            pair = json.loads(line)
            try:
                pattern = EventPattern.load(json.dumps(pair["pattern"]))
                out.append("1" if pattern.matches_event(pair["event"]) else "0")
            except Exception as exc:  # noqa: BLE001 - reported per pair
                out.append("E " + repr(exc).replace("\n", " "))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
