#!/usr/bin/env python3
"""Print the cost of a GPU job and the approval tier it falls in.

    estimate.py GPU COUNT HOURS [--go USD] [--hold USD]
"""
import argparse
import sys

PRICES = {"a10g": 1.10, "l4": 0.80, "a100": 3.40, "h100": 4.90}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpu", choices=sorted(PRICES))
    parser.add_argument("count", type=int)
    parser.add_argument("hours", type=float)
    parser.add_argument("--go", type=float, default=3.0, help="launch without asking below this")
    parser.add_argument("--hold", type=float, default=25.0, help="ask first above this")
    args = parser.parse_args()
    if args.count < 1 or args.hours <= 0:
        parser.error("count must be at least 1 and hours more than 0")
    cost = PRICES[args.gpu] * args.count * args.hours
    tier = "go" if cost < args.go else "hold" if cost > args.hold else "warn"
    print(f"{cost:.2f} USD ({args.count} x {args.gpu} for {args.hours:g} h): tier {tier}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
