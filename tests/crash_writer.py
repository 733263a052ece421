"""A writer for the crash tests: random adds, keyed updates, edits and deletes on an
embedded store, one JSON line per call on stdout (``begin`` before, ``ack`` after it
returned). The test SIGKILLs it at a random moment and checks the store it leaves.

Run as ``python -m tests.crash_writer PATH SEED`` from the repository root.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import sys
from collections.abc import Sequence

DIMENSION = 64


class WordHashEmbedder:
    """A fast deterministic embedder: each word hashed into one of 64 dimensions.

    The same text always gets the same unit vector (so searching a memory's exact text
    finds it with similarity 1.0); texts sharing words are similar.
    """

    name = "word-hash-64"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out = []
        for text in texts:
            v = [0.0] * DIMENSION
            for word in text.lower().split():
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                v[h % DIMENSION] += 1.0 if h & 1 << 31 else -1.0
            norm = math.sqrt(sum(x * x for x in v)) or 1.0
            out.append([x / norm for x in v])
        return out


def say(**line: object) -> None:
    print(json.dumps(line), flush=True)


def main(path: str, seed: int) -> None:
    from mem0_integrations import Memory

    rng = random.Random(seed)
    memory = Memory(path=path, embedder=WordHashEmbedder())
    say(ready=True)
    mine: list[str] = []
    for i in range(100_000):
        tag = f"{seed}-{i}"
        roll = rng.random()
        if roll < 0.45 or not mine:
            texts = [
                f"Note {tag} part {k} about topic {rng.randrange(50)}" for k in range(1 + i % 3)
            ]
            say(begin="add", texts=texts)
            result = memory.add(texts, user_id="u1", infer=False)
            mine += result.ids
            say(ack="add", ids=result.ids, texts=texts)
        elif roll < 0.7:
            value = f"City{tag}"
            say(begin="set", value=value)
            result = memory.remember({"home_city": value}, user_id="u1")
            say(ack="set", value=value, ids=result.ids)
        elif roll < 0.9:
            target = rng.choice(mine)
            text = f"Edited {tag} note about topic {rng.randrange(50)}"
            say(begin="update", id=target, text=text)
            memory.update(target, text, user_id="u1")
            say(ack="update", id=target, text=text)
        else:
            target = mine.pop(rng.randrange(len(mine)))
            say(begin="delete", id=target)
            memory.delete(target, user_id="u1")
            say(ack="delete", id=target)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
