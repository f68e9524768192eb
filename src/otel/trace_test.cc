#include "otel/trace.h"

#include <gtest/gtest.h>

#include <random>

#include "otel/proto.h"

namespace spanlake::otel {
namespace {

const std::string kTrace("\x5b\x8e\xff\xf7\x98\x98\x34\xa1\x2b\x11\x4c\x6e\x91\x0a\x12\x7f", 16);
const std::string kSpan("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8);
const std::string kParent("\x01\x02\x03\x04\x05\x06\x07\x08", 8);

TraceRequest Sample() {
  TraceRequest req;
  req.resources.push_back(Resource{{{"service.name", json::Value("svc")}}, ""});
  req.scopes.push_back(Scope{"my.lib", "1.2.3", {{"scope.attr", json::Value(true)}}, 0});
  Span s;
  s.trace_id = kTrace;
  s.span_id = kSpan;
  s.parent_span_id = kParent;
  s.name = "chat gpt-4o";
  s.kind = SpanKind::kClient;
  s.start_time_unix_nano = 1700000000123456789ull;
  s.end_time_unix_nano = 1700000001000000000ull;
  s.attributes = {
      {"str", json::Value("text")},
      {"int", json::Value(int64_t{-42})},
      {"big", json::Value(int64_t{9007199254740993})},
      {"dbl", json::Value(0.25)},
      {"flag", json::Value(false)},
      {"arr", json::Value(json::Array{json::Value(1), json::Value("two")})},
      {"kv", json::Value(json::Object{{"a", json::Value(1)},
                                      {"b", json::Object{{"c", json::Value("d")}}}})},
  };
  s.events.push_back(
      Event{1700000000500000000ull, "exception", {{"exception.message", json::Value("boom")}}});
  s.links.push_back(Link{kTrace, kParent, "", {{"link.attr", json::Value(7)}}});
  s.status_code = StatusCode::kError;
  s.status_message = "failed";
  req.spans.push_back(s);
  return req;
}

void ExpectSameSpan(const Span& a, const Span& b) {
  EXPECT_EQ(a.trace_id, b.trace_id);
  EXPECT_EQ(a.span_id, b.span_id);
  EXPECT_EQ(a.parent_span_id, b.parent_span_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.start_time_unix_nano, b.start_time_unix_nano);
  EXPECT_EQ(a.end_time_unix_nano, b.end_time_unix_nano);
  ASSERT_EQ(a.attributes.size(), b.attributes.size());
  for (size_t i = 0; i < a.attributes.size(); ++i) {
    EXPECT_EQ(a.attributes[i].first, b.attributes[i].first);
    EXPECT_EQ(a.attributes[i].second, b.attributes[i].second)
        << a.attributes[i].first << ": " << b.attributes[i].second.Dump();
  }
  ASSERT_EQ(a.events.size(), b.events.size());
  EXPECT_EQ(a.events[0].name, b.events[0].name);
  EXPECT_EQ(a.events[0].time_unix_nano, b.events[0].time_unix_nano);
  EXPECT_EQ(a.events[0].attributes, b.events[0].attributes);
  ASSERT_EQ(a.links.size(), b.links.size());
  EXPECT_EQ(a.links[0].span_id, b.links[0].span_id);
  EXPECT_EQ(a.status_code, b.status_code);
  EXPECT_EQ(a.status_message, b.status_message);
}

TEST(TraceProto, RoundTrips) {
  TraceRequest in = Sample();
  Result<TraceRequest> out = DecodeProtobuf(EncodeProtobuf(in));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->resources.size(), 1u);
  EXPECT_EQ(out->resources[0].attributes, in.resources[0].attributes);
  ASSERT_EQ(out->scopes.size(), 1u);
  EXPECT_EQ(out->scopes[0].name, "my.lib");
  EXPECT_EQ(out->scopes[0].version, "1.2.3");
  EXPECT_EQ(out->scopes[0].attributes, in.scopes[0].attributes);
  ASSERT_EQ(out->spans.size(), 1u);
  ExpectSameSpan(in.spans[0], out->spans[0]);
}

TEST(TraceProto, EmptyBodyIsAnEmptyRequest) {
  Result<TraceRequest> out = DecodeProtobuf("");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->spans.empty());
}

TEST(TraceProto, SkipsUnknownFieldsAndDecodesBytes) {
  // A span with an unknown varint, fixed32 and nested message, and a bytes attribute.
  std::string any;
  PutLenField(&any, 7, std::string("\x00\xff\x10", 3));
  std::string kv;
  PutLenField(&kv, 1, "raw");
  PutLenField(&kv, 2, any);
  PutVarintField(&kv, 99, 5);
  std::string span;
  PutLenField(&span, 1, kTrace);
  PutLenField(&span, 2, kSpan);
  PutVarintField(&span, 17, 1);
  PutTag(&span, 18, WireType::kFixed32);
  span.append("abcd");
  PutLenField(&span, 19, "ignored");
  PutLenField(&span, 9, kv);
  std::string scope_spans;
  PutLenField(&scope_spans, 2, span);
  std::string rs;
  PutLenField(&rs, 2, scope_spans);
  PutLenField(&rs, 1000, "old instrumentation_library_spans");
  std::string req;
  PutLenField(&req, 1, rs);
  PutVarintField(&req, 2, 1);
  Result<TraceRequest> out = DecodeProtobuf(req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->spans.size(), 1u);
  EXPECT_EQ(out->spans[0].span_id, kSpan);
  ASSERT_EQ(out->spans[0].attributes.size(), 1u);
  EXPECT_EQ(out->spans[0].attributes[0].second, json::Value("AP8Q"));
}

std::string OneSpanRequest(const std::string& span_bytes) {
  std::string scope_spans;
  PutLenField(&scope_spans, 2, span_bytes);
  std::string rs;
  PutLenField(&rs, 2, scope_spans);
  std::string req;
  PutLenField(&req, 1, rs);
  return req;
}

TEST(TraceProto, WrongWireTypeNamesThePlace) {
  std::string span;
  PutLenField(&span, 1, kTrace);
  PutVarintField(&span, 5, 3);  // name must be length-delimited
  Result<TraceRequest> out = DecodeProtobuf(OneSpanRequest(span));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
  EXPECT_NE(
      out.status().message().find("resource_spans[0]: scope_spans[0]: spans[0]: field 'name'"),
      std::string::npos)
      << out.status().message();
}

TEST(TraceProto, NestingIsLimited) {
  std::string any;
  PutVarintField(&any, 3, 1);
  for (int i = 0; i < kMaxValueDepth + 5; ++i) {
    std::string arr;
    PutLenField(&arr, 1, any);
    any.clear();
    PutLenField(&any, 5, arr);
  }
  std::string kv;
  PutLenField(&kv, 1, "deep");
  PutLenField(&kv, 2, any);
  std::string span;
  PutLenField(&span, 9, kv);
  Result<TraceRequest> out = DecodeProtobuf(OneSpanRequest(span));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("nested deeper"), std::string::npos);
}

TEST(TraceProto, KeyedListsAreLimited) {
  std::string span;
  for (size_t i = 0; i <= kMaxKeyedEntries; ++i) {
    std::string kv;
    PutLenField(&kv, 1, "k" + std::to_string(i));
    PutLenField(&span, 9, kv);
  }
  Result<TraceRequest> out = DecodeProtobuf(OneSpanRequest(span));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("more than 1024 entries"), std::string::npos);
}

TEST(TraceProto, ManyEmptySpansHitTheDecodeBudget) {
  // Two bytes per span on the wire, hundreds of bytes decoded.
  constexpr size_t kBudget = 1 << 20;
  std::string scope_spans;
  size_t n = kBudget / sizeof(Span) + 10;
  scope_spans.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) PutLenField(&scope_spans, 2, "");
  std::string rs;
  PutLenField(&rs, 2, scope_spans);
  std::string req;
  PutLenField(&req, 1, rs);
  EXPECT_TRUE(DecodeProtobuf(req).ok());
  Result<TraceRequest> out = DecodeProtobuf(req, kBudget);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kTooLarge);
  EXPECT_EQ(DecodeJson(R"({"resourceSpans":[{},{},{}]})", 2 * sizeof(Resource)).status().code(),
            Code::kTooLarge);
}

constexpr const char* kJsonSample = R"({"resourceSpans":[{
  "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
  "scopeSpans":[{"scope":{"name":"my.lib","version":"1.2.3",
      "attributes":[{"key":"scope.attr","value":{"boolValue":true}}]},
    "spans":[{"traceId":"5b8efff7989834a12b114c6e910a127f","spanId":"EEE19B7EC3C1B174",
      "parentSpanId":"0102030405060708","name":"chat gpt-4o","kind":3,
      "startTimeUnixNano":"1700000000123456789","endTimeUnixNano":1700000001000000000,
      "attributes":[
        {"key":"str","value":{"stringValue":"text"}},
        {"key":"int","value":{"intValue":"-42"}},
        {"key":"big","value":{"intValue":"9007199254740993"}},
        {"key":"dbl","value":{"doubleValue":0.25}},
        {"key":"flag","value":{"boolValue":false}},
        {"key":"arr","value":{"arrayValue":{"values":[{"intValue":1},{"stringValue":"two"}]}}},
        {"key":"kv","value":{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"1"}},
          {"key":"b","value":{"kvlistValue":{"values":[{"key":"c","value":{"stringValue":"d"}}]}}}]}}}],
      "events":[{"timeUnixNano":"1700000000500000000","name":"exception",
        "attributes":[{"key":"exception.message","value":{"stringValue":"boom"}}]}],
      "links":[{"traceId":"5b8efff7989834a12b114c6e910a127f","spanId":"0102030405060708",
        "attributes":[{"key":"link.attr","value":{"intValue":7}}]}],
      "status":{"code":"STATUS_CODE_ERROR","message":"failed"},
      "unknownField":{"x":1}}]}]}]})";

TEST(TraceJson, DecodesLikeProtobuf) {
  Result<TraceRequest> out = DecodeJson(kJsonSample);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  TraceRequest want = Sample();
  ASSERT_EQ(out->spans.size(), 1u);
  ExpectSameSpan(want.spans[0], out->spans[0]);
  EXPECT_EQ(out->resources[0].attributes, want.resources[0].attributes);
  EXPECT_EQ(out->scopes[0].name, "my.lib");
  EXPECT_EQ(out->scopes[0].attributes, want.scopes[0].attributes);
}

TEST(TraceJson, AcceptsSnakeCaseAndEnumNames) {
  Result<TraceRequest> out = DecodeJson(R"({"resource_spans":[{"scope_spans":[{"spans":[
      {"trace_id":"000102030405060708090a0b0c0d0e0f","span_id":"0001020304050607",
       "kind":"SPAN_KIND_SERVER","start_time_unix_nano":5}]}]}]})");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->spans.size(), 1u);
  EXPECT_EQ(out->spans[0].kind, SpanKind::kServer);
  EXPECT_EQ(out->spans[0].start_time_unix_nano, 5u);
  EXPECT_EQ(HexId(out->spans[0].trace_id), "000102030405060708090a0b0c0d0e0f");
}

TEST(TraceJson, RejectsMalformedDocumentsWithTheirPlace) {
  struct Case {
    const char* body;
    const char* want;
  };
  const Case cases[] = {
      {"not json", "request body is not JSON"},
      {"[]", "must be a JSON object"},
      {R"({"resourceSpans":{}})", "'resourceSpans' must be an array"},
      {R"({"resourceSpans":[1]})", "resourceSpans[0]: must be an object"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz0"}]}]}]})",
       "resourceSpans[0]: scopeSpans[0]: spans[0]: 'traceId' must be a hex string"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"abc"}]}]}]})", "even length"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-1"}]}]}]})",
       "'startTimeUnixNano' must be an unsigned"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SIDEWAYS"}]}]}]})", "'kind' must be"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"intValue":"1x"}}]}]}]}]})",
       "attributes[0]: value: 'intValue'"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":7}]}]}]})", "'name' must be a string"},
  };
  for (const Case& c : cases) {
    Result<TraceRequest> out = DecodeJson(c.body);
    ASSERT_FALSE(out.ok()) << c.body;
    EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
    EXPECT_NE(out.status().message().find(c.want), std::string::npos)
        << c.body << " -> " << out.status().message();
  }
}

TEST(Encoding, ResponsesAndHelpers) {
  EXPECT_EQ(EncodeExportResponseProto(0, ""), "");
  std::string partial = EncodeExportResponseProto(2, "bad ids");
  ProtoReader r(partial);
  ProtoField f;
  ASSERT_TRUE(r.Next(&f).ok());
  EXPECT_EQ(f.number, 1u);
  ProtoReader inner(f.bytes);
  ASSERT_TRUE(inner.Next(&f).ok());
  EXPECT_EQ(f.scalar, 2u);
  ASSERT_TRUE(inner.Next(&f).ok());
  EXPECT_EQ(f.bytes, "bad ids");
  EXPECT_EQ(EncodeExportResponseJson(0, "").Dump(), "{}");
  EXPECT_EQ(EncodeExportResponseJson(3, "x").Dump(),
            R"({"partialSuccess":{"rejectedSpans":3,"errorMessage":"x"}})");
  EXPECT_EQ(EncodeStatusJson(3, "bad").Dump(), R"({"code":3,"message":"bad"})");
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(HexId(std::string("\x00\xab", 2)), "00ab");
}

// Deterministic mutations of valid requests: the decoders must return (ok or
// an error), never crash, hang or read out of bounds (ASan/UBSan builds run
// this). tests/fuzz/otlp_fuzz.cc explores further with libFuzzer.
std::string Mutate(const std::string& in, std::mt19937& rng) {
  std::string s = in;
  int ops = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < ops && !s.empty(); ++i) {
    size_t pos = rng() % s.size();
    switch (rng() % 6) {
      case 0:
        s[pos] = static_cast<char>(s[pos] ^ (1 << (rng() % 8)));
        break;
      case 1:
        s[pos] = static_cast<char>(rng());
        break;
      case 2:
        s.resize(pos);
        break;
      case 3:
        s.insert(pos, 1, static_cast<char>(rng()));
        break;
      case 4:
        s.erase(pos, 1 + rng() % 8);
        break;
      case 5:
        s.insert(pos, s.substr(rng() % s.size(), 1 + rng() % 16));
        break;
    }
  }
  return s;
}

TEST(Decoders, SurviveMutatedInput) {
  std::mt19937 rng(20260101);
  std::string proto = EncodeProtobuf(Sample());
  std::string text = kJsonSample;
  size_t ok = 0;
  for (int i = 0; i < 5000; ++i) {
    ok += DecodeProtobuf(Mutate(proto, rng)).ok();
    ok += DecodeJson(Mutate(text, rng)).ok();
  }
  EXPECT_GT(ok, 0u);  // some mutations stay valid (unknown fields, changed values)
}

}  // namespace
}  // namespace spanlake::otel
