#!/usr/bin/env python3
"""gen_spans.py -- deterministic synthetic workload of AI-app trace spans.

Origin: copied unchanged from the project's shared bench kit (/work/shared/bench/gen_spans.py,
2026-11-27) so that bench/run needs nothing outside the repository.

Writes JSONL, one span event per line, in Braintrust's log-event shape:

  id, span_id, root_span_id, span_parents, created, project_id, log_id ("g"),
  input, output, expected (sometimes), error (rare), scores (when scored),
  metadata, metrics, tags, span_attributes {name, type}

Traces are trees: one root span of type "task" plus 2..12 descendants (LLM
calls with chat-message-array inputs and text outputs, tool calls with JSON
arguments/results, helper "function" spans, "score" spans).  Agent-style
traces nest llm/tool spans under "agent_step" function spans.

Text is Zipf-distributed natural-ish language over a large vocabulary
(/usr/share/dict/words when present, else a built-in word list extended with
pseudo-words), plus ids, numbers, URLs and code-like identifiers.  Rare
"needle" tokens are planted at exact, known rates so full-text search
selectivity can be controlled: by default zqx1 in 1 of 100 spans, zqx2 in
1 of 10,000, zqx3 in 1 of 1,000,000.  Each needle is planted in exactly one
span of every consecutive block of RATE spans (generation order), so a file
of N spans holds floor(N/RATE) or floor(N/RATE)+1 of them; the exact counts
are printed on stderr and written to the --manifest file.  The token
"zqx9" never occurs (a guaranteed zero-hit search).

Determinism: the output is a pure function of (--spans, --seed, --projects,
--rate, --start, --needles, --order, vocabulary).  It does not depend on
--jobs.  The vocabulary source is printed on stderr with a fingerprint; for
byte-identical files across machines either install the same word list
everywhere (Debian package "wamerican") or pass --vocab builtin.

Field conventions:
  * span_parents is [] for a root span, [parent_span_id] otherwise.
  * created is the span start, ISO 8601 UTC with microseconds ("...Z");
    metrics.start / metrics.end are unix seconds (float).
  * token metrics (prompt_tokens, completion_tokens, tokens,
    estimated_cost) are present on llm spans only.
  * metadata.model is present on root and llm spans; every span carries
    metadata.user_id, session_id, environment and prompt_version.
  * scores: roots that were scored carry all their scores (accuracy on
    about 70% of roots), each score span carries its own one score.
  * expected, error and scores keys are absent when there is no value.
  * --order time (default) emits spans sorted by start time, so the spans
    of concurrent traces interleave as they would on a live ingest stream;
    --order trace emits each trace contiguously, root first.

Usage:
  python3 gen_spans.py --spans 100000 --seed 1 --out spans_100k.jsonl
  python3 gen_spans.py --spans 1000 | head -1 | python3 -m json.tool
Options: --jobs N (worker processes, default: number of CPUs),
  --projects K (default 4), --rate R (traces per second, default 1.0),
  --start ISO (default 2024-06-01T00:00:00Z), --needles tok:rate,...,
  --vocab auto|dict|builtin, --order time|trace, --manifest FILE.
Runs on a stock python3 (standard library only).
"""

import argparse
import calendar
import hashlib
import json
import multiprocessing
import os
import random
import sys
import time

DEFAULT_NEEDLES = "zqx1:100,zqx2:10000,zqx3:1000000"
CHUNK_TRACES = 200          # traces per work unit (fixed: output must not depend on --jobs)
VOCAB_SEED = "gen_spans-vocab-v1"

# ----------------------------------------------------------------------------
# vocabulary
# ----------------------------------------------------------------------------

# Common English words, roughly in frequency order, followed by words typical
# of LLM application traffic (support, retrieval, coding, commerce).
BUILTIN_HEAD = """
the of and to a in is that for it as was with be by on not he i this are or his
from at which but have an they you were her she there been one all we their has
would when if so no will more can out other said up what about into than them
only some could time these two may then do first any my now such like our over
me even most made after also did many before must through back years where much
your way well down should because each just those people how too little state
good very make world still own see men work long get here between both life being
under never day same another know while last might us great old year off come
since against go came right used take three new need help please thanks thank
want use using file data user users question answer example following based
information system support order account issue problem result results number
list value values function code error errors request response model models text
document documents search query context step steps check note case set type
name email price service product products customer customers time date team
report update changes change version feature features test tests run running
available different important provide provided include includes including
process support api key keys access page section details detail option options
policy payment refund shipping delivery return returns item items cart address
phone contact billing invoice subscription plan plans upgrade cancel trial
login password reset security settings profile notification message messages
send sent receive received review reviews rating summary summarize summary
table column row rows database schema index performance latency cost tokens
prompt prompts assistant tool tools call calls agent agents task tasks chain
retrieval relevant source sources citation citations reference references
accurate accuracy correct incorrect score scores evaluation evaluate metric
metrics quality output input expected actual format json string array object
field fields parse parsing config configuration deploy deployment server client
cloud region cluster storage bucket upload download import export sync backup
dashboard chart graph analysis analytics revenue sales growth quarter monthly
weekly daily annual budget forecast plan strategy market marketing campaign
email emails meeting schedule calendar event events ticket tickets priority
status pending approved rejected completed failed success successful failure
retry timeout limit limits rate quota usage billing charge charges discount
coupon promotion store stores location locations hours open closed weekend
flight hotel booking reservation travel trip destination weather forecast
temperature medical patient doctor appointment insurance claim claims coverage
contract legal terms agreement privacy compliance regulation tax taxes income
loan mortgage interest bank transfer balance transaction transactions fraud
python javascript typescript java rust sql query queries function method class
variable loop array map dictionary exception stack trace debug debugging bug
bugs fix fixed install installation package library dependency build compile
network connection server endpoint request header headers token authentication
authorization permission permissions role roles admin administrator owner
""".split()

_SYL_ON = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s",
           "t", "v", "w", "z", "br", "cr", "dr", "fr", "gr", "pr", "tr", "bl",
           "cl", "fl", "gl", "pl", "sl", "st", "sp", "sc", "sh", "ch", "th", "qu"]
_SYL_NU = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ea", "ou", "ai", "io", "y"]
_SYL_CO = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "nt", "st", "rt", "ck", "ng"]
_SUFFIX = ["", "", "", "", "s", "ed", "ing", "er", "ion", "ly", "ity", "ment", "ness", "able", "al"]


def _pseudo_words(n):
    rng = random.Random(VOCAB_SEED + ":pseudo")
    seen = set()
    out = []
    while len(out) < n:
        w = "".join(rng.choice(_SYL_ON) + rng.choice(_SYL_NU) + rng.choice(_SYL_CO)
                    for _ in range(rng.choice((1, 1, 2, 2, 2, 3))))
        if rng.random() < 0.4:
            w += rng.choice(_SUFFIX)
        if 3 <= len(w) <= 16 and w not in seen and not w.startswith("zqx"):
            seen.add(w)
            out.append(w)
    return out


def build_vocab(mode):
    """Returns (words, source_description).  Order = Zipf rank."""
    head = []
    seen = set()
    for w in BUILTIN_HEAD:
        if w not in seen:
            seen.add(w)
            head.append(w)
    tail = None
    source = "builtin"
    path = "/usr/share/dict/words"
    if mode in ("auto", "dict") and os.path.exists(path):
        with open(path, encoding="utf-8", errors="ignore") as f:
            words = sorted({w.strip() for w in f
                            if w.strip().isascii() and w.strip().isalpha()
                            and w.strip().islower() and 3 <= len(w.strip()) <= 16})
        tail = [w for w in words if w not in seen and not w.startswith("zqx")]
        source = "dict:" + path
    elif mode == "dict":
        sys.exit("gen_spans: --vocab dict but %s is missing (apt-get install wamerican)" % path)
    if tail is None:
        tail = [w for w in _pseudo_words(48000) if w not in seen]
    random.Random(VOCAB_SEED).shuffle(tail)
    vocab = head + tail
    fp = hashlib.sha1("\n".join(vocab).encode()).hexdigest()[:12]
    return vocab, "%s (%d words, fingerprint %s)" % (source, len(vocab), fp)


# ----------------------------------------------------------------------------
# per-process state (set by init_state, inherited by forked workers)
# ----------------------------------------------------------------------------

VOCAB = None
CUMW = None
CFG = None

MODELS = [  # name, weight, $ per 1M prompt tokens, $ per 1M completion tokens, provider
    ("gpt-4o", 30, 2.5, 10.0, "openai"),
    ("gpt-4o-mini", 25, 0.15, 0.6, "openai"),
    ("claude-3-5-sonnet-20241022", 15, 3.0, 15.0, "anthropic"),
    ("claude-3-5-haiku-20241022", 8, 0.8, 4.0, "anthropic"),
    ("gemini-1.5-pro", 7, 1.25, 5.0, "google"),
    ("llama-3.1-70b-instruct", 6, 0.88, 0.88, "together"),
    ("mistral-large-latest", 5, 2.0, 6.0, "mistral"),
    ("gpt-3.5-turbo", 4, 0.5, 1.5, "openai"),
]
MODEL_NAMES = [m[0] for m in MODELS]
MODEL_W = [m[1] for m in MODELS]
MODEL_BY_NAME = {m[0]: m for m in MODELS}

ENVS = ["production"] * 7 + ["staging"] * 2 + ["development"]
ROOT_TAGS = ["production", "beta", "regression", "flagged", "vip", "mobile", "web",
             "api", "experiment-a", "experiment-b", "needs-review", "golden"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"]
CLIENTS = ["web", "ios", "android", "api", "slack", "cli"]
LOCALES = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP", "pt-BR"]
TIERS = ["free", "pro", "team", "enterprise"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay"]

ARCHETYPES = [  # root name, weight, kind
    ("chat_turn", 30, "chat"),
    ("rag_answer", 30, "rag"),
    ("agent_run", 20, "agent"),
    ("summarize_document", 8, "chat"),
    ("classify_ticket", 7, "chat"),
    ("extract_entities", 5, "chat"),
]
ARCH_W = [a[1] for a in ARCHETYPES]

LLM_NAMES = ["Chat Completion", "Chat Completion", "Chat Completion",  # SDK wrapper span name
             "generate_answer", "rewrite_query", "plan_next_step", "summarize"]
SDK_SPAN_NAMES = {"openai": "openai.chat.completions.create",
                  "anthropic": "anthropic.messages.create"}
TOOLS = ["vector_search", "web_search", "sql_query", "get_order_status", "lookup_customer",
         "fetch_url", "calculator", "create_ticket", "send_email", "get_weather"]
FUNCS = ["rerank", "format_prompt", "parse_response", "embed_query", "guardrails_check",
         "postprocess", "route_request"]
SCORERS = ["Factuality", "accuracy", "relevance", "helpfulness", "ClosedQA", "toxicity",
           "exact_match"]
ERRORS_LLM = [
    "RateLimitError: Rate limit reached for requests (429)",
    "BadRequestError: This model's maximum context length is 128000 tokens",
    "APIConnectionError: Connection error.",
    "InternalServerError: The server had an error while processing your request (500)",
]
ERRORS_TOOL = [
    "TimeoutError: tool call exceeded 30s deadline",
    "HTTPError: 503 Service Unavailable",
    "ValueError: invalid arguments: missing required field",
    "PermissionError: access denied for this resource",
    "KeyError: record not found",
]


def init_state(vocab_mode, cfg):
    global VOCAB, CUMW, CFG
    VOCAB, desc = build_vocab(vocab_mode)
    acc = 0.0
    cw = []
    for r in range(len(VOCAB)):
        acc += 1.0 / (r + 2.7) ** 1.05      # Zipf-Mandelbrot rank weights
        cw.append(acc)
    CUMW = cw
    CFG = cfg
    return desc


# ----------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------

def uuid4(rng):
    x = rng.getrandbits(128)
    x = (x & ~(0xF000 << 64)) | (0x4000 << 64)
    x = (x & ~(0xC000 << 48)) | (0x8000 << 48)
    h = "%032x" % x
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def det_uuid(*parts):
    h = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=16).hexdigest()
    h = h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) & 3] + h[17:]
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def iso(ts):
    sec = int(ts)
    us = int(round((ts - sec) * 1e6))
    if us >= 1000000:
        sec += 1
        us -= 1000000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + ".%06dZ" % us


def entity(rng):
    k = rng.randrange(12)
    if k == 0:
        return str(rng.randint(2, 9999))
    if k == 1:
        return "$%d.%02d" % (rng.randint(1, 2000), rng.randrange(100))
    if k == 2:
        return "ORD-%06d" % rng.randrange(1000000)
    if k == 3:
        return "#%d" % rng.randint(100, 99999)
    if k == 4:
        return "v%d.%d.%d" % (rng.randint(0, 5), rng.randint(0, 20), rng.randint(0, 30))
    if k == 5:
        a, b = rng.choices(VOCAB, cum_weights=CUMW, k=2)
        return a + "_" + b
    if k == 6:
        a, b = rng.choices(VOCAB, cum_weights=CUMW, k=2)
        return a + b[:1].upper() + b[1:] + "()"
    if k == 7:
        a, b = rng.choices(VOCAB, cum_weights=CUMW, k=2)
        return "https://docs.%s.com/%s/%s" % (rng.choice(COMPANIES).lower(), a, b)
    if k == 8:
        return "%s.%s@example.com" % tuple(rng.choices(VOCAB, cum_weights=CUMW, k=2))
    if k == 9:
        return "E%04d" % rng.randrange(10000)
    if k == 10:
        return "%d%%" % rng.randint(1, 100)
    return "%04d-%02d-%02d" % (rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28))


def text(rng, n, needles=None):
    """Natural-looking text of about n words; needle tokens inserted verbatim."""
    if n < 1:
        n = 1
    ws = rng.choices(VOCAB, cum_weights=CUMW, k=n)
    for _ in range(n // 45 + (1 if rng.random() < (n % 45) / 45.0 else 0)):
        ws[rng.randrange(n)] = entity(rng)
    if needles:
        for nd in needles:
            ws.insert(rng.randrange(len(ws) + 1), nd)
    out = []
    i = 0
    L = len(ws)
    nsent = 0
    while i < L:
        k = rng.randint(5, 19)
        sent = ws[i:i + k]
        i += k
        if len(sent) > 9:
            sent[3] += ","
        first = sent[0]
        if not first.startswith("zqx"):
            sent[0] = first[:1].upper() + first[1:]
        nsent += 1
        end = "?" if rng.random() < 0.07 else "."
        if nsent % 5 == 0 and i < L:
            end += "\n\n"
        else:
            end += " "
        out.append(" ".join(sent) + end)
    return "".join(out).rstrip()


def plant(rng, s, needles):
    """Inserts needle tokens at random word boundaries of s."""
    ws = s.split(" ")
    for nd in needles:
        ws.insert(rng.randrange(len(ws) + 1), nd)
    return " ".join(ws)


def title(rng, n):
    ws = rng.choices(VOCAB, cum_weights=CUMW, k=n)
    return " ".join(w[:1].upper() + w[1:] for w in ws)


def lognorm(rng, median, sigma, lo, hi):
    v = rng.lognormvariate(0.0, sigma) * median
    return lo if v < lo else hi if v > hi else v


_SYS_CACHE = {}


def system_prompt(project_idx, arche, pv):
    key = (project_idx, arche, pv)
    s = _SYS_CACHE.get(key)
    if s is None:
        r = random.Random("%s:sys:%s:%s:%s" % (CFG["seed"], project_idx, arche, pv))
        company = COMPANIES[project_idx % len(COMPANIES)]
        rules = "\n".join("%d. %s" % (j + 1, text(r, r.randint(8, 20)))
                          for j in range(r.randint(3, 8)))
        s = ("You are a helpful assistant for %s. %s\n\nRules:\n%s\n\nAlways answer in %s."
             % (company, text(r, r.randint(80, 240)), rules,
                r.choice(["markdown", "plain text", "JSON", "a friendly tone"])))
        _SYS_CACHE[key] = s
    return s


def det_unit(*parts):
    h = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(h, "little") / 18446744073709551616.0


# ----------------------------------------------------------------------------
# trace generation
# ----------------------------------------------------------------------------

def needles_for(span_index):
    """Needle tokens planted in the span with this global generation index."""
    out = None
    for tok, rate in CFG["needles"]:
        b = span_index // rate
        h = hashlib.blake2b(b"%s:%s:%d" % (str(CFG["seed"]).encode(), tok.encode(), b),
                            digest_size=8).digest()
        if span_index % rate == int.from_bytes(h, "little") % rate:
            if out is None:
                out = []
            out.append(tok)
    return out


def plan_children(rng, kind, c):
    """Returns a list of (type, name, [sub-nodes]) totalling exactly c spans."""
    nodes = []
    if c <= 0:
        return nodes
    n_scores = 0
    if c >= 3:
        n_scores = min(c - 2, rng.choice((0, 1, 1, 2, 2, 3)))
    rem = c - n_scores
    if kind == "rag" and rem >= 3:
        nodes.append(("function", "embed_query", []))
        nodes.append(("tool", "vector_search", []))
        rem -= 2
        if rem >= 2 and rng.random() < 0.6:
            nodes.append(("function", "rerank", []))
            rem -= 1
    while rem > 0:
        if kind == "agent" and rem >= 3 and rng.random() < 0.7:
            k = min(rem - 1, rng.randint(1, 3))
            subs = [("llm", "plan_next_step", [])]
            for _ in range(k - 1):
                subs.append(("tool", rng.choice(TOOLS), []))
            nodes.append(("function", "agent_step", subs))
            rem -= k + 1
            continue
        x = rng.random()
        if rem == 1 or x < 0.55:
            nodes.append(("llm", rng.choice(LLM_NAMES), []))
        elif x < 0.85:
            nodes.append(("tool", rng.choice(TOOLS), []))
        else:
            nodes.append(("function", rng.choice(FUNCS), []))
        rem -= 1
    if not any(n[0] == "llm" for n in nodes):
        # every trace makes at least one LLM call when it has room for one
        for j, n in enumerate(nodes):
            if n[0] != "function" or not n[2]:
                nodes[j] = ("llm", "generate_answer", [])
                break
    for _ in range(n_scores):
        nodes.append(("score", rng.choice(SCORERS), []))
    return nodes


def tool_io(rng, name, ndl):
    if name in ("vector_search", "web_search"):
        q = text(rng, rng.randint(4, 14))
        args = {"query": q, "top_k": rng.choice((3, 5, 8, 10)),
                "filters": {"source": rng.choice(("kb", "docs", "tickets", "web")),
                            "lang": "en"}}
        nres = rng.randint(2, 6)
        res = []
        for j in range(nres):
            res.append({"id": "doc_%d" % rng.randrange(10 ** 7),
                        "title": title(rng, rng.randint(3, 8)),
                        "url": "https://kb.example.com/a/%d" % rng.randrange(10 ** 6),
                        "snippet": text(rng, rng.randint(25, 70), ndl if j == 0 else None),
                        "score": round(rng.uniform(0.3, 0.99), 4)})
        return args, {"results": res, "took_ms": rng.randint(5, 400)}
    if name == "sql_query":
        a, b = rng.choices(VOCAB, cum_weights=CUMW, k=2)
        args = {"sql": "SELECT %s, count(*) FROM %s WHERE created_at > now() - interval '%d days' "
                       "GROUP BY 1 ORDER BY 2 DESC LIMIT %d" % (a, b, rng.randint(1, 90),
                                                                 rng.choice((10, 20, 50)))}
        rows = [[w, rng.randint(1, 5000)] for w in rng.choices(VOCAB, cum_weights=CUMW,
                                                               k=rng.randint(2, 12))]
        out = {"columns": [a, "count"], "rows": rows, "row_count": len(rows)}
        if ndl:
            out["note"] = text(rng, rng.randint(5, 15), ndl)
        return args, out
    if name in ("get_order_status", "lookup_customer", "create_ticket"):
        args = {"customer_id": "cus_%08d" % rng.randrange(10 ** 8),
                "order_id": "ORD-%06d" % rng.randrange(10 ** 6)}
        out = {"status": rng.choice(("shipped", "pending", "delivered", "cancelled", "open")),
               "updated_at": iso(CFG["start"] + rng.uniform(-9e6, 0)),
               "items": [{"sku": "SKU-%05d" % rng.randrange(10 ** 5), "qty": rng.randint(1, 4),
                          "price": round(rng.uniform(3, 400), 2)}
                         for _ in range(rng.randint(1, 4))],
               "notes": text(rng, rng.randint(10, 60), ndl)}
        return args, out
    if name == "fetch_url":
        args = {"url": "https://www.%s.com/%s" % (rng.choice(COMPANIES).lower(),
                                                  "/".join(rng.choices(VOCAB, cum_weights=CUMW, k=2)))}
        return args, {"status": 200, "content_type": "text/html",
                      "text": text(rng, rng.randint(80, 300), ndl)}
    if name == "calculator":
        a, b = rng.randint(1, 10 ** 6), rng.randint(1, 1000)
        out = {"result": round(a / b, 6)}
        if ndl:
            out["explanation"] = text(rng, 8, ndl)
        return {"expression": "%d / %d" % (a, b)}, out
    if name == "send_email":
        args = {"to": "%s@example.com" % rng.choice(VOCAB[:5000]),
                "subject": title(rng, rng.randint(3, 8)),
                "body": text(rng, rng.randint(30, 120), ndl)}
        return args, {"message_id": "<%s@mail.example.com>" % uuid4(rng), "accepted": True}
    # get_weather and anything else
    args = {"city": title(rng, 1), "units": rng.choice(("metric", "imperial"))}
    out = {"temperature": round(rng.uniform(-10, 38), 1),
           "conditions": rng.choice(("clear", "cloudy", "rain", "snow", "fog")),
           "summary": text(rng, rng.randint(8, 30), ndl)}
    return args, out


def gen_trace(t, span_index0, size, start_ts):
    """Generates trace number t (size spans) -> list of span dicts."""
    seed = CFG["seed"]
    rng = random.Random("%s:trace:%d" % (seed, t))
    T = CFG["traces"]
    # context shared by all spans of the trace
    pidx = rng.choices(range(len(CFG["projects"])), weights=CFG["project_w"])[0]
    project_id = CFG["projects"][pidx]
    sess_no = t // 3 + pidx * 7919
    session_id = det_uuid(seed, "session", sess_no)
    user_id = "user_%05d" % (int(20000 ** det_unit(seed, "user", sess_no)) - 1)
    env = rng.choice(ENVS)
    pv = "v%d" % max(1, min(12, int(1 + 12 * (t / max(1, T)) + rng.gauss(0, 1.2))))
    arche_name, _, kind = rng.choices(ARCHETYPES, weights=ARCH_W)[0]
    main_model = rng.choices(MODEL_NAMES, weights=MODEL_W)[0]
    base_meta = {"user_id": user_id, "session_id": session_id, "environment": env,
                 "prompt_version": pv}

    root_span = uuid4(rng)
    spans = []
    idx = [span_index0]

    def make_span(stype, name, parent, t0, t1, inp, out, meta, metrics_extra=None,
                  scores=None, expected=None, error=None, tags=None):
        sid = root_span if parent is None else uuid4(rng)
        m = {"start": round(t0, 6), "end": round(t1, 6)}
        if metrics_extra:
            m.update(metrics_extra)
        ev = {"id": uuid4(rng), "span_id": sid, "root_span_id": root_span,
              "span_parents": [] if parent is None else [parent],
              "created": iso(t0), "project_id": project_id, "log_id": "g",
              "input": inp, "output": out}
        if expected is not None:
            ev["expected"] = expected
        if error is not None:
            ev["error"] = error
        if scores:
            ev["scores"] = scores
        ev["metadata"] = meta
        ev["metrics"] = m
        ev["tags"] = tags or []
        ev["span_attributes"] = {"name": name, "type": stype}
        return ev

    def new_span(*args, **kw):
        ev = make_span(*args, **kw)
        spans.append(ev)
        return ev

    size = max(1, size)
    nodes = plan_children(rng, kind, size - 1)
    # global index of each span in generation order: root first, then DFS
    question = text(rng, rng.randint(8, 45))
    if kind == "chat" and arche_name != "chat_turn":
        doc = text(rng, rng.randint(60, 220))
    else:
        doc = None
    history = None
    if rng.random() < 0.4:
        history = [{"role": "user", "content": text(rng, rng.randint(6, 30))},
                   {"role": "assistant", "content": text(rng, rng.randint(20, 90))}]
    scores_root = {}
    child_error = [False]
    final_answer = [None]

    # root placeholder; filled after children so its end time / scores are known
    root_needles = needles_for(idx[0])
    idx[0] += 1
    spans.append(None)   # the root is built last, when its end time and scores are known

    cursor = [start_ts + rng.uniform(0.001, 0.05)]

    def emit(node, parent):
        stype, name, subs = node
        ndl = needles_for(idx[0])
        idx[0] += 1
        t0 = cursor[0]
        meta = dict(base_meta)
        if stype == "llm":
            model = main_model if rng.random() < 0.8 else rng.choices(MODEL_NAMES, weights=MODEL_W)[0]
            msgs = [{"role": "system", "content": system_prompt(pidx, arche_name, pv)}]
            if history:
                msgs.extend(history)
            user = question
            if doc:
                user = question + "\n\nDocument:\n" + doc
            elif kind == "rag":
                user = ("Context:\n" + text(rng, rng.randint(120, 420)) +
                        "\n\nQuestion: " + question)
            msgs.append({"role": "user", "content": user})
            if kind == "agent" and rng.random() < 0.5:
                msgs.append({"role": "assistant", "content": text(rng, rng.randint(10, 40))})
                msgs.append({"role": "tool", "content": json.dumps(
                    {"result": text(rng, rng.randint(10, 60))})})
            out_text = text(rng, rng.randint(40, 320))
            ptoks = sum(len(m_["content"]) for m_ in msgs) // 4 + 3 * len(msgs)
            ctoks = len(out_text) // 4 + 1
            mi = MODEL_BY_NAME[model]
            if name == "Chat Completion":
                name = SDK_SPAN_NAMES.get(mi[4], name)
            cost = (ptoks * mi[2] + ctoks * mi[3]) / 1e6
            dur = lognorm(rng, 0.4 + ctoks / 90.0, 0.35, 0.15, 60.0)
            meta.update({"model": model, "provider": mi[4],
                         "temperature": rng.choice((0, 0.2, 0.5, 0.7, 1.0)),
                         "max_tokens": rng.choice((256, 512, 1024, 2048, 4096)),
                         "stream": rng.random() < 0.4})
            err = None
            if not ndl and rng.random() < 0.006:
                err = rng.choice(ERRORS_LLM)
                child_error[0] = True
                out_val = None
            else:
                # the answer is reused downstream (root output, scorer input) without needles
                out_val = plant(rng, out_text, ndl) if ndl else out_text
                final_answer[0] = out_text
            t1 = t0 + dur
            new_span("llm", name, parent, t0, t1, msgs, out_val, meta,
                     {"prompt_tokens": ptoks, "completion_tokens": ctoks,
                      "tokens": ptoks + ctoks, "estimated_cost": round(cost, 8),
                      "time_to_first_token": round(min(dur, lognorm(rng, 0.35, 0.4, 0.05, 5)), 4)},
                     error=err)
            cursor[0] = t1 + rng.uniform(0.0005, 0.02)
        elif stype == "tool":
            args, res = tool_io(rng, name, ndl)
            err = None
            if not ndl and rng.random() < 0.02:
                err = rng.choice(ERRORS_TOOL)
                res = None
                child_error[0] = True
            dur = lognorm(rng, 0.25, 0.9, 0.005, 30.0)
            meta["tool_name"] = name
            t1 = t0 + dur
            new_span("tool", name, parent, t0, t1, args, res, meta, error=err)
            cursor[0] = t1 + rng.uniform(0.0005, 0.02)
        elif stype == "function":
            meta["function"] = name
            if subs:
                ev = new_span("function", name, parent, t0, t0,
                              {"goal": question, "step": len(spans)}, None, meta)
                cursor[0] = t0 + rng.uniform(0.001, 0.01)
                for s in subs:
                    emit(s, ev["span_id"])
                t1 = cursor[0] + rng.uniform(0.001, 0.01)
                ev["output"] = {"thought": text(rng, rng.randint(10, 40), ndl),
                                "done": rng.random() < 0.3}
                ev["metrics"]["end"] = round(t1, 6)
            else:
                if name == "embed_query":
                    inp = {"text": question, "embedding_model": "text-embedding-3-small"}
                    out = {"dimensions": 1536, "norm": round(rng.uniform(0.98, 1.02), 6)}
                    if ndl:
                        out["debug"] = text(rng, 6, ndl)
                elif name == "rerank":
                    inp = {"query": question, "candidates": rng.randint(5, 50)}
                    out = {"top": [{"id": "doc_%d" % rng.randrange(10 ** 7),
                                    "score": round(rng.random(), 4)} for _ in range(3)],
                           "reason": text(rng, rng.randint(5, 25), ndl)}
                else:
                    inp = {"text": text(rng, rng.randint(10, 60))}
                    out = {"result": text(rng, rng.randint(10, 60), ndl),
                           "ok": rng.random() < 0.97}
                t1 = t0 + lognorm(rng, 0.03, 0.8, 0.0005, 2.0)
                new_span("function", name, parent, t0, t1, inp, out, meta)
            cursor[0] = t1 + rng.uniform(0.0005, 0.02)
        else:  # score
            if name == "exact_match":
                val = float(rng.random() < 0.4)
            elif name == "toxicity":
                val = round(min(1.0, rng.expovariate(25.0)), 4)
            else:
                val = round(rng.betavariate(2.2, 1.2), 4)
            scores_root[name] = val
            meta["scorer"] = name
            meta["scorer_model"] = "gpt-4o-mini"
            ans = final_answer[0] or ""
            inp = {"output": ans[:rng.randint(100, 600)], "question": question}
            out = {"score": val, "rationale": text(rng, rng.randint(12, 60), ndl)}
            t1 = t0 + lognorm(rng, 0.8, 0.5, 0.05, 20.0)
            new_span("score", name, parent, t0, t1, inp, out, meta, scores={name: val})
            cursor[0] = t1 + rng.uniform(0.0005, 0.02)

    for node in nodes:
        emit(node, root_span)

    # finish the root
    end_ts = cursor[0] + rng.uniform(0.001, 0.05)
    if kind == "chat" or kind == "agent" or not doc:
        root_in = question if rng.random() < 0.5 else {"question": question,
                                                       "conversation": history or []}
    else:
        root_in = {"question": question, "document": doc}
    answer = final_answer[0] or text(rng, rng.randint(30, 120))
    if root_needles:
        answer = text(rng, rng.randint(5, 20), root_needles) + "\n\n" + answer
    expected = text(rng, rng.randint(20, 120)) if rng.random() < 0.3 else None
    error = None
    if child_error[0] and rng.random() < 0.3:
        error = "TraceError: one or more steps failed"
    if rng.random() < 0.7:
        scores_root["accuracy"] = round(rng.betavariate(2.2, 1.2), 4)
    meta = dict(base_meta)
    meta["model"] = main_model
    r = rng.random
    if r() < 0.8:
        meta["request"] = {"region": rng.choice(REGIONS), "client": rng.choice(CLIENTS),
                           "ip_hash": "%016x" % rng.getrandbits(64)}
    if r() < 0.5:
        meta["feature_flags"] = {"new_retriever": r() < 0.5, "streaming": r() < 0.5,
                                 "cache": r() < 0.7}
    if r() < 0.6:
        meta["customer_tier"] = rng.choice(TIERS)
    if r() < 0.5:
        meta["locale"] = rng.choice(LOCALES)
    if r() < 0.2:
        meta["experiment"] = "exp_%d" % rng.randint(1, 40)
    if r() < 0.05:
        meta["thread_id"] = uuid4(rng)
    if r() < 0.02:  # long tail of rarely used metadata keys
        meta["custom_" + rng.choice(VOCAB[:3000])] = rng.choice(
            (rng.randint(0, 1000), title(rng, 2), r() < 0.5))
    ntags = rng.choice((0, 0, 0, 1, 1, 2, 3))
    tags = sorted(rng.sample(ROOT_TAGS, ntags)) if ntags else []
    spans[0] = make_span("task", arche_name, None, start_ts, end_ts, root_in, answer, meta,
                         scores=dict(sorted(scores_root.items())) or None,
                         expected=expected, error=error, tags=tags)
    return spans


_ENC = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode


def gen_chunk(args):
    """Work unit: traces [t0, t1).  Returns (lines, needle hits, per-project counts)."""
    t0, t1, span_index0 = args
    sizes = CFG["sizes"]
    starts = CFG["starts"]
    out = []
    hits = []
    si = span_index0
    for t in range(t0, t1):
        spans = gen_trace(t, si, sizes[t], starts[t])
        for ev in spans:
            line = _ENC(ev)
            out.append((ev["metrics"]["start"], si, line))
            if CFG["needle_re"] is not None:
                for tok in CFG["needle_toks"]:
                    if tok in line:
                        hits.append((tok, ev["id"]))
            si += 1
    return out, hits


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__[__doc__.index("Usage:"):])
    ap.add_argument("--spans", type=int, default=10000, help="number of spans (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--out", default="-", help="output file (default stdout)")
    ap.add_argument("--jobs", type=int, default=0, help="worker processes (default: CPUs)")
    ap.add_argument("--projects", type=int, default=4, help="number of projects (default 4)")
    ap.add_argument("--rate", type=float, default=1.0,
                    help="mean trace arrival rate, traces per second (default 1.0)")
    ap.add_argument("--start", default="2024-06-01T00:00:00Z", help="time of the first trace")
    ap.add_argument("--needles", default=DEFAULT_NEEDLES,
                    help="comma list of token:rate (default %s)" % DEFAULT_NEEDLES)
    ap.add_argument("--vocab", choices=("auto", "dict", "builtin"), default="auto",
                    help="word list: /usr/share/dict/words if present (auto), or built-in")
    ap.add_argument("--order", choices=("time", "trace"), default="time",
                    help="emit spans by start time (interleaved traces) or trace by trace")
    ap.add_argument("--manifest", default=None,
                    help="write a JSON manifest (needle counts and span ids, projects, ...)")
    a = ap.parse_args()
    if a.spans < 0:
        ap.error("--spans must be >= 0")
    t_begin = time.time()

    needles = []
    for item in a.needles.split(","):
        item = item.strip()
        if not item:
            continue
        tok, rate = item.split(":")
        if not tok.isalnum() or not tok.islower():
            ap.error("needle tokens must be lowercase alphanumeric: %r" % tok)
        needles.append((tok, int(rate)))

    master = random.Random("%d:master" % a.seed)
    nproj = max(1, a.projects)
    projects = [det_uuid(a.seed, "project", k) for k in range(nproj)]
    project_w = [1.0 / (k + 1) ** 1.3 for k in range(nproj)]
    start0 = calendar.timegm(time.strptime(a.start.rstrip("Z").split(".")[0], "%Y-%m-%dT%H:%M:%S"))
    sizes = []
    starts = []
    total = 0
    ts = float(start0)
    while total < a.spans:
        c = int(round(master.triangular(2, 12, 5)))
        s = min(1 + c, a.spans - total)
        sizes.append(s)
        starts.append(ts)
        ts += master.expovariate(a.rate)
        total += s
    T = len(sizes)
    cfg = {"seed": a.seed, "projects": projects, "project_w": project_w, "sizes": sizes,
           "starts": starts, "traces": T, "start": float(start0), "needles": needles,
           "needle_toks": [n[0] for n in needles] if a.manifest else [],
           "needle_re": True if a.manifest else None}
    vocab_desc = init_state(a.vocab, cfg)

    work = []
    si = 0
    for c0 in range(0, T, CHUNK_TRACES):
        c1 = min(T, c0 + CHUNK_TRACES)
        work.append((c0, c1, si))
        si += sum(sizes[c0:c1])

    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    nbytes = 0
    nspans = 0
    hits = {}
    tmin = None
    tmax = None

    jobs = a.jobs if a.jobs > 0 else (os.cpu_count() or 1)
    if jobs > 1 and len(work) > 1:
        ctx = multiprocessing.get_context("fork")
        pool = ctx.Pool(jobs)
        results = pool.imap(gen_chunk, work, chunksize=1)
    else:
        pool = None
        results = map(gen_chunk, work)

    pending = []

    def write_lines(items):
        nonlocal nbytes, nspans, tmin, tmax
        if not items:
            return
        buf = "\n".join(x[2] for x in items) + "\n"
        out.write(buf)
        nbytes += len(buf.encode("utf-8")) if not buf.isascii() else len(buf)
        nspans += len(items)
        lo = items[0][0] if a.order == "time" else min(x[0] for x in items)
        hi = max(x[0] for x in items)
        tmin = lo if tmin is None else min(tmin, lo)
        tmax = hi if tmax is None else max(tmax, hi)

    try:
        for wi, (items, h) in enumerate(results):
            for tok, sid in h:
                hits.setdefault(tok, []).append(sid)
            if a.order == "trace":
                write_lines(items)
                continue
            pending.extend(items)
            pending.sort()
            if wi + 1 < len(work):
                nxt = starts[work[wi + 1][0]]
                k = 0
                while k < len(pending) and pending[k][0] < nxt:
                    k += 1
                write_lines(pending[:k])
                pending = pending[k:]
            else:
                write_lines(pending)
                pending = []
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    if pool is not None:
        pool.close()
        pool.join()
    if out is not sys.stdout:
        out.close()
    else:
        out.flush()

    # exact needle counts follow from the block construction
    counts = {}
    for tok, rate in needles:
        full = nspans // rate
        rem = nspans % rate
        cnt = full
        if rem:
            h = hashlib.blake2b(b"%s:%s:%d" % (str(a.seed).encode(), tok.encode(), full),
                                digest_size=8).digest()
            if int.from_bytes(h, "little") % rate < rem:
                cnt += 1
        counts[tok] = cnt
    elapsed = time.time() - t_begin
    sys.stderr.write(
        "gen_spans: seed=%d spans=%d traces=%d bytes=%d (%.0f B/span) projects=%d "
        "order=%s time=%.1fs\n" % (a.seed, nspans, T, nbytes, nbytes / max(1, nspans), nproj,
                                  a.order, elapsed))
    sys.stderr.write("gen_spans: vocab=%s\n" % vocab_desc)
    sys.stderr.write("gen_spans: needles %s (zqx9: 0, never planted)\n" %
                     " ".join("%s=%d(1/%d)" % (tok, counts[tok], rate) for tok, rate in needles))
    if a.manifest:
        man = {"generator": "gen_spans.py", "seed": a.seed, "spans": nspans, "traces": T,
               "bytes": nbytes, "order": a.order, "rate": a.rate, "vocab": vocab_desc,
               "time_range": [iso(tmin), iso(tmax)] if tmin is not None else None,
               "projects": projects, "models": MODEL_NAMES,
               "needles": {tok: {"rate": rate, "count": counts[tok],
                                 "span_ids": sorted(hits.get(tok, []))[:1000]}
                           for tok, rate in needles},
               "absent_token": "zqx9"}
        for tok, _ in needles:
            if len(hits.get(tok, [])) != counts[tok]:
                sys.stderr.write("gen_spans: warning: %s found in %d spans, expected %d\n"
                                 % (tok, len(hits.get(tok, [])), counts[tok]))
        with open(a.manifest, "w") as f:
            json.dump(man, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:     # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
