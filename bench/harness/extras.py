#!/usr/bin/env python3
"""Extra spans for bench/run, beside the generator's file (same span shape, seeded):

* one trace of BIG_SPANS spans (~50 MB: a root and children of ~10 KB each), for big_trace_ms;
* PHRASE_HITS spans holding the phrase "ledger quartz reconciliation" and as many decoys that
  hold the three words but not as that phrase, for phrase_ms;
* CJK_SPANS spans of Chinese text, CJK_HITS of which hold 退款申请 ("refund request") inside
  running text (no spaces), for cjk_ms. The filler vocabulary avoids the characters of the
  needle, so the count is exact.

All of them belong to one extra project, EXTRAS_PROJECT. Output: JSONL on --out, and a small
JSON manifest on --manifest with the ids and the expected counts.

usage: extras.py --out extras.jsonl --manifest extras.json [--seed 42] [--big-spans 5000]
(bench/run passes --big-spans 500 below 10,000 spans, so that the smoke test stays small)
"""
import argparse
import json
import random
import uuid

EXTRAS_PROJECT = "5e1ec7ed-0000-4000-8000-00000000e0e0"
BIG_SPANS = 5000
BIG_SPAN_TEXT = 9800
PHRASE = "ledger quartz reconciliation"
PHRASE_HITS = 40
CJK_SPANS = 300
CJK_HITS = 30
CJK_NEEDLE = "退款申请"
CJK_WORDS = ["我们", "客户", "订单", "系统", "今天", "问题", "需要", "处理", "已经", "时间",
             "模型", "回答", "用户", "服务", "支持", "数据", "检查", "发送", "邮件", "地址",
             "价格", "产品", "商品", "物流", "包裹", "查询", "帮助", "确认", "谢谢", "您好",
             "账户", "密码", "登录", "更新", "设置", "通知", "信息", "记录", "报告", "分析"]
EN_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "si", "pe", "da", "go", "fu", "bi",
                "te", "zo", "ha", "ni", "mu", "re", "sa", "ch", "qu", "ex", "an", "or"]
START = "2024-06-01T%02d:%02d:%02d.%06dZ"


def ts(sec):
    sec = sec % 86400.0
    h, rem = divmod(int(sec), 3600)
    m, s = divmod(rem, 60)
    return START % (h, m, s, int((sec - int(sec)) * 1e6))


def make_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def words(rng, n):
    return " ".join("".join(rng.choice(EN_SYLLABLES) for _ in range(rng.randint(1, 3)))
                    for _ in range(n))


def span(rng, root, parent, at, text_in, text_out, name, span_type="llm"):
    sid = make_uuid(rng)
    return {"id": sid, "span_id": sid, "root_span_id": root or sid,
            "span_parents": [parent] if parent else [], "created": ts(at),
            "project_id": EXTRAS_PROJECT, "log_id": "g",
            "input": [{"role": "user", "content": text_in}], "output": text_out,
            "metadata": {"model": "gpt-4o", "user_id": "u-extras"},
            "metrics": {"start": 1717200000.0 + at, "end": 1717200000.0 + at + 0.8, "tokens": 100},
            "span_attributes": {"name": name, "type": span_type}}


def big_trace(rng, spans):
    root = span(rng, None, None, 3600.0, "big trace root", "ok", "big", "task")
    out = [root]
    pool = words(rng, 400000)  # ~2.4 MB; each child takes a slice at a random offset
    for i in range(spans - 1):
        at = rng.randrange(len(pool) - BIG_SPAN_TEXT)
        text = pool[at:at + BIG_SPAN_TEXT]
        out.append(span(rng, root["id"], root["id"], 3600.0 + i * 0.01, text, "done %d" % i,
                        "step-%d" % i))
    return out


def phrase_spans(rng):
    out = []
    for i in range(PHRASE_HITS):
        text = "%s %s %s" % (words(rng, 20), PHRASE, words(rng, 20))
        decoy = "%s reconciliation of the quartz ledger %s" % (words(rng, 20), words(rng, 20))
        out.append(span(rng, None, None, 7200.0 + i, text, "ok", "phrase"))
        out.append(span(rng, None, None, 7200.5 + i, decoy, "ok", "phrase-decoy"))
    return out


def cjk_spans(rng):
    out = []
    for i in range(CJK_SPANS):
        parts = [rng.choice(CJK_WORDS) for _ in range(60)]
        if i % (CJK_SPANS // CJK_HITS) == 0:
            parts.insert(rng.randint(1, 59), CJK_NEEDLE)
        out.append(span(rng, None, None, 10800.0 + i, "".join(parts), "。".join(parts[:5]), "cjk"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--big-spans", type=int, default=BIG_SPANS)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    big = big_trace(rng, a.big_spans)
    rows = big + phrase_spans(rng) + cjk_spans(rng)
    with open(a.out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(a.manifest, "w") as f:
        json.dump({"project": EXTRAS_PROJECT, "big_trace_root": big[0]["id"],
                   "big_trace_spans": len(big), "phrase": PHRASE, "phrase_hits": PHRASE_HITS,
                   "cjk_needle": CJK_NEEDLE, "cjk_hits": CJK_HITS, "spans": len(rows)}, f, indent=1)


if __name__ == "__main__":
    main()
