#include "corpus.h"

#include <array>

namespace spanlake::bench {

namespace {

constexpr std::array<const char*, 48> kWords = {
    "the",      "to",      "and",     "of",       "a",        "in",      "is",      "for",
    "order",    "refund",  "customer", "model",   "answer",   "latency", "token",   "please",
    "shipping", "account", "password", "invoice", "support",  "request", "retrieve", "context",
    "vector",   "search",  "database", "timeout", "response", "prompt",  "summary", "document",
    "quickly",  "because", "between",  "without", "through",  "payment", "delivery", "tracking",
    "Crème",    "brûlée",  "naïve",    "café",    "résumé",   "Zürich",  "Ångström", "façade"};
constexpr std::array<const char*, 24> kCjk = {
    "我们", "客户", "订单", "系统", "今天", "问题", "需要", "处理", "已经", "时间", "模型", "回答",
    "用户", "服务", "支持", "数据", "检查", "发送", "邮件", "地址", "价格", "产品", "退款", "申请"};

std::string Token(Rng& rng, int i) {
  switch (rng.Next() % 20) {
    case 0:
      return std::to_string(rng.Next() % 100000);
    case 1:
      return "getUserProfile_v" + std::to_string(i % 9);
    case 2:
      return "https://docs.example.com/api/v2/items/" + std::to_string(rng.Next() % 5000);
    default:
      return kWords[rng.Skewed(kWords.size())];
  }
}

}  // namespace

std::string EnglishText(Rng& rng, size_t words) {
  std::string out;
  for (size_t i = 0; i < words; ++i) {
    if (i > 0) out += (i % 12 == 0) ? ". " : " ";
    out += Token(rng, static_cast<int>(i));
  }
  return out;
}

std::string ChineseText(Rng& rng, size_t chars) {
  std::string out;
  for (size_t i = 0; i < chars / 2; ++i) out += kCjk[rng.Next() % kCjk.size()];
  return out;
}

std::string SpanJson(Rng& rng, int n, size_t text_words) {
  std::string id = "span-" + std::to_string(n);
  return R"({"id":")" + id + R"(","span_id":")" + id + R"(","root_span_id":"root-)" +
         std::to_string(n / 7) + R"(","created":"2024-06-01T00:00:00.000000Z","input":[)" +
         R"({"role":"system","content":"You are a helpful support agent."},{"role":"user","content":")" +
         EnglishText(rng, text_words / 2) + R"("}],"output":")" + EnglishText(rng, text_words / 2) +
         R"(","metadata":{"model":"gpt-4o","user_id":"u-)" + std::to_string(rng.Next() % 2000) +
         R"(","request":{"region":"eu-west-1","client":"web"}},"metrics":{"start":1717200000.5,)" +
         R"("end":1717200001.25,"tokens":)" + std::to_string(rng.Next() % 4000) +
         R"(},"scores":{"accuracy":0.75},"tags":["prod"],"span_attributes":{"name":"llm","type":"llm"}})";
}

}  // namespace spanlake::bench
