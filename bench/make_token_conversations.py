#!/usr/bin/python3
"""Writes a token-id conversations JSONL for `kvtrace hash` benchmarks: sessions of turns that
re-send their history (so prefixes are shared), random Qwen3-sized token ids, compact JSON.

usage: make_token_conversations.py OUT [--sessions 4000] [--turns 5] [--turn-tokens 800] [--seed 1]
"""
import argparse

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--sessions", type=int, default=4000)
    ap.add_argument("--turns", type=int, default=5)
    ap.add_argument("--turn-tokens", type=int, default=800)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    system = rng.integers(0, 151_000, 1024)  # one system prompt shared by every session
    total = 0
    with open(a.out, "w") as out:
        for s in range(a.sessions):
            history = system
            for t in range(a.turns):
                history = np.concatenate([history, rng.integers(0, 151_000, a.turn_tokens)])
                ids = ",".join(map(str, history.tolist()))
                out.write(f'{{"timestamp":{s * 100 + t * 10},"session_id":"s{s}",'
                          f'"output_length":200,"tokens":[{ids}]}}\n')
                total += len(history)
    print(f"{a.out}: {a.sessions * a.turns} requests, {total} tokens")


if __name__ == "__main__":
    main()
