#include "otel/map.h"

#include <gtest/gtest.h>

namespace spanlake::otel {
namespace {

const std::string kTrace("\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19", 16);
const std::string kRoot("\x01\x01\x01\x01\x01\x01\x01\x01", 8);
const std::string kChild("\x02\x02\x02\x02\x02\x02\x02\x02", 8);

json::Value J(const char* text) {
  Result<json::Value> v = json::Value::Parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : json::Value();
}

struct Fixture {
  TraceRequest req;
  Fixture() {
    req.resources.push_back(Resource{{{"service.name", json::Value("svc")}}, ""});
    req.scopes.push_back(Scope{"lib", "1.0", {}, 0});
  }
};

Span NewSpan(const std::string& id, const std::string& parent, Attributes attrs) {
  Span s;
  s.trace_id = kTrace;
  s.span_id = id;
  s.parent_span_id = parent;
  s.name = "op";
  s.start_time_unix_nano = 1700000000250000000ull;
  s.end_time_unix_nano = 1700000002750000000ull;
  s.attributes = std::move(attrs);
  return s;
}

json::Value Map(const Span& s, std::string* parent = nullptr) {
  Fixture f;
  Result<MappedSpan> m = MapSpan(f.req, s);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return json::Value();
  if (parent) *parent = m->parent;
  return json::Value(m->row);
}

const json::Value& At(const json::Value& row, std::vector<std::string> path) {
  static const json::Value kMissing("<missing>");
  const json::Value* v = row.find_path(path);
  return v ? *v : kMissing;
}

TEST(MapSpan, TreeIdsTimesAndDefaults) {
  json::Value root = Map(NewSpan(kRoot, "", {}));
  EXPECT_EQ(At(root, {"id"}), json::Value("0101010101010101"));
  EXPECT_EQ(At(root, {"span_id"}), json::Value("0101010101010101"));
  EXPECT_EQ(At(root, {"root_span_id"}), json::Value("0a0b0c0d0e0f10111213141516171819"));
  EXPECT_EQ(root.find("span_parents"), nullptr);
  EXPECT_EQ(At(root, {"created"}), json::Value("2023-11-14T22:13:20.250Z"));
  EXPECT_EQ(At(root, {"metrics", "start"}), json::Value(1700000000.25));
  EXPECT_EQ(At(root, {"metrics", "end"}), json::Value(1700000002.75));
  EXPECT_EQ(At(root, {"span_attributes"}), J(R"({"name":"op","type":"task"})"));
  EXPECT_EQ(At(root, {"metadata", "otel.resource"}), J(R"({"service.name":"svc"})"));
  EXPECT_EQ(At(root, {"metadata", "otel.scope"}), J(R"({"name":"lib","version":"1.0"})"));
  EXPECT_EQ(root.find("error"), nullptr);

  Span child = NewSpan(kChild, kRoot, {{"custom", json::Value(json::Array{json::Value(1)})}});
  child.kind = SpanKind::kClient;
  json::Value c = Map(child);
  EXPECT_EQ(At(c, {"span_parents"}), J(R"(["0101010101010101"])"));
  EXPECT_EQ(At(c, {"root_span_id"}), At(root, {"root_span_id"}));
  EXPECT_EQ(At(c, {"span_attributes", "type"}), json::Value("function"));
  EXPECT_EQ(At(c, {"metadata", "custom"}), J("[1]"));
  EXPECT_EQ(At(c, {"metadata", "otel.span_kind"}), json::Value("client"));
}

TEST(MapSpan, RejectsBadIds) {
  Fixture f;
  Span s = NewSpan(kRoot, "", {});
  s.trace_id = std::string(16, '\0');
  EXPECT_NE(MapSpan(f.req, s).status().message().find("trace id"), std::string::npos);
  s = NewSpan(kRoot, "", {});
  s.trace_id.resize(15);
  EXPECT_FALSE(MapSpan(f.req, s).ok());
  s = NewSpan(std::string(8, '\0'), "", {});
  EXPECT_NE(MapSpan(f.req, s).status().message().find("span id"), std::string::npos);
  s = NewSpan(kRoot, "abc", {});
  EXPECT_NE(MapSpan(f.req, s).status().message().find("parent span id"), std::string::npos);
  EXPECT_EQ(MapSpan(f.req, s).status().code(), Code::kInvalidArgument);
}

TEST(MapSpan, GenAiAttributesSemconv) {
  json::Value row = Map(NewSpan(
      kChild, kRoot,
      {
          {"gen_ai.operation.name", json::Value("chat")},
          {"gen_ai.provider.name", json::Value("openai")},
          {"gen_ai.request.model", json::Value("gpt-4o")},
          {"gen_ai.response.model", json::Value("gpt-4o-2024-08-06")},
          {"gen_ai.request.temperature", json::Value(0.5)},
          {"gen_ai.usage.input_tokens", json::Value(int64_t{12})},
          {"gen_ai.usage.output_tokens", json::Value(int64_t{30})},
          {"gen_ai.system_instructions", json::Value(R"([{"type":"text","content":"Be brief."}])")},
          {"gen_ai.input.messages",
           json::Value(
               R"([{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]}])")},
          {"gen_ai.output.messages", json::Value(R"([{"role":"assistant","parts":[
          {"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}],
          "finish_reason":"tool_call"}])")},
          {"gen_ai.response.id", json::Value("resp-1")},
      }));
  EXPECT_EQ(At(row, {"span_attributes", "type"}), json::Value("llm"));
  EXPECT_EQ(At(row, {"input"}), J(R"([{"role":"system","content":"Be brief."},
                                      {"role":"user","content":"Weather in Paris?"}])"));
  EXPECT_EQ(At(row, {"output"}),
            J(R"([{"role":"assistant","content":null,"tool_calls":[{"id":"call_1",
      "type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}],
      "finish_reason":"tool_call"}])"));
  EXPECT_EQ(At(row, {"metadata", "model"}), json::Value("gpt-4o-2024-08-06"));
  EXPECT_EQ(At(row, {"metadata", "gen_ai.request.model"}), json::Value("gpt-4o"));
  EXPECT_EQ(At(row, {"metadata", "provider"}), json::Value("openai"));
  EXPECT_EQ(At(row, {"metadata", "temperature"}), json::Value(0.5));
  EXPECT_EQ(At(row, {"metadata", "gen_ai.operation.name"}), json::Value("chat"));
  EXPECT_EQ(At(row, {"metadata", "gen_ai.response.id"}), json::Value("resp-1"));
  EXPECT_EQ(At(row, {"metrics", "prompt_tokens"}), json::Value(12));
  EXPECT_EQ(At(row, {"metrics", "completion_tokens"}), json::Value(30));
  EXPECT_EQ(At(row, {"metrics", "tokens"}), json::Value(42));
  for (const char* consumed :
       {"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.usage.input_tokens",
        "gen_ai.response.model", "gen_ai.provider.name", "gen_ai.request.temperature",
        "gen_ai.system_instructions"}) {
    EXPECT_EQ(row.find("metadata")->find(consumed), nullptr) << consumed;
  }
}

TEST(MapSpan, GenAiIndexedAttributes) {
  json::Value row =
      Map(NewSpan(kChild, kRoot,
                  {
                      {"gen_ai.system", json::Value("anthropic")},
                      {"gen_ai.request.model", json::Value("claude")},
                      {"gen_ai.prompt.1.role", json::Value("user")},
                      {"gen_ai.prompt.1.content", json::Value("second")},
                      {"gen_ai.prompt.0.role", json::Value("system")},
                      {"gen_ai.prompt.0.content", json::Value("first")},
                      {"gen_ai.completion.0.role", json::Value("assistant")},
                      {"gen_ai.completion.0.finish_reason", json::Value("tool_calls")},
                      {"gen_ai.completion.0.tool_calls.0.id", json::Value("t1")},
                      {"gen_ai.completion.0.tool_calls.0.name", json::Value("lookup")},
                      {"gen_ai.completion.0.tool_calls.0.arguments", json::Value(R"({"q":1})")},
                      {"gen_ai.usage.prompt_tokens", json::Value("7")},
                      {"gen_ai.usage.completion_tokens", json::Value(int64_t{3})},
                  }));
  EXPECT_EQ(At(row, {"span_attributes", "type"}), json::Value("llm"));
  EXPECT_EQ(At(row, {"input"}),
            J(R"([{"role":"system","content":"first"},{"role":"user","content":"second"}])"));
  EXPECT_EQ(At(row, {"output"}),
            J(R"([{"role":"assistant","tool_calls":[{"id":"t1","type":"function",
      "function":{"name":"lookup","arguments":"{\"q\":1}"}}],"finish_reason":"tool_calls"}])"));
  EXPECT_EQ(At(row, {"metadata", "model"}), json::Value("claude"));
  EXPECT_EQ(At(row, {"metadata", "provider"}), json::Value("anthropic"));
  EXPECT_EQ(At(row, {"metrics", "prompt_tokens"}), json::Value(7));
  EXPECT_EQ(At(row, {"metrics", "tokens"}), json::Value(10));
  EXPECT_EQ(row.find("metadata")->find("gen_ai.prompt.0.role"), nullptr);
}

TEST(MapSpan, GenAiEventsWinOverAttributes) {
  Span s = NewSpan(kChild, kRoot,
                   {{"gen_ai.operation.name", json::Value("chat")},
                    {"gen_ai.prompt", json::Value("attribute prompt")}});
  s.events.push_back(Event{1, "gen_ai.system.message", {{"content", json::Value("sys")}}});
  s.events.push_back(Event{2, "gen_ai.user.message", {{"content", json::Value("hi")}}});
  s.events.push_back(Event{3,
                           "gen_ai.choice",
                           {{"index", json::Value(0)},
                            {"finish_reason", json::Value("stop")},
                            {"message", J(R"({"role":"assistant","content":"hello"})")}}});
  s.events.push_back(Event{4, "note", {{"k", json::Value("v")}}});
  json::Value row = Map(s);
  EXPECT_EQ(At(row, {"input"}),
            J(R"([{"role":"system","content":"sys"},{"role":"user","content":"hi"}])"));
  EXPECT_EQ(At(row, {"output"}),
            J(R"([{"role":"assistant","content":"hello","finish_reason":"stop"}])"));
  EXPECT_EQ(At(row, {"metadata", "gen_ai.prompt"}), json::Value("attribute prompt"));
  EXPECT_EQ(At(row, {"metadata", "otel.events"}),
            J(R"([{"name":"note","time":0.000000004,"attributes":{"k":"v"}}])"));
}

TEST(MapSpan, OddMessagePartsDoNotCrash) {
  // Found by otlp_json_fuzz: a text part without its text.
  json::Value row = Map(NewSpan(kChild, kRoot, {
      {"gen_ai.input.messages", json::Value(R"([{"role":"user","parts":[{"type":"text"}]}])")},
      {"gen_ai.output.messages", json::Value(R"([7,{"parts":[1,{"type":"tool_call"}]}])")},
  }));
  EXPECT_EQ(At(row, {"input"}), J(R"([{"role":"user","content":[{"type":"text"}]}])"));
  EXPECT_EQ(At(row, {"output"}), J(R"([7,{"content":[1],"tool_calls":[{"type":"function",
      "function":{"name":null,"arguments":""}}]}])"));
  row = Map(NewSpan(kChild, kRoot, {
      {"llm.input_messages.0.message.contents.0.message_content.type", json::Value("text")},
  }));
  EXPECT_EQ(At(row, {"input"}), J(R"([{"content":[{"type":"text"}]}])"));
}

TEST(MapSpan, GenAiToolSpan) {
  json::Value row =
      Map(NewSpan(kChild, kRoot,
                  {
                      {"gen_ai.operation.name", json::Value("execute_tool")},
                      {"gen_ai.tool.name", json::Value("get_weather")},
                      {"gen_ai.tool.call.id", json::Value("call_1")},
                      {"gen_ai.tool.call.arguments", json::Value(R"({"city":"Paris"})")},
                      {"gen_ai.tool.call.result", json::Value("sunny")},
                  }));
  EXPECT_EQ(At(row, {"span_attributes", "type"}), json::Value("tool"));
  EXPECT_EQ(At(row, {"input"}), J(R"({"city":"Paris"})"));
  EXPECT_EQ(At(row, {"output"}), json::Value("sunny"));
  EXPECT_EQ(At(row, {"metadata", "gen_ai.tool.name"}), json::Value("get_weather"));
}

TEST(MapSpan, OpenInference) {
  json::Value row = Map(NewSpan(
      kChild, kRoot,
      {
          {"openinference.span.kind", json::Value("LLM")},
          {"llm.model_name", json::Value("gpt-4o-mini")},
          {"llm.provider", json::Value("openai")},
          {"llm.input_messages.0.message.role", json::Value("system")},
          {"llm.input_messages.0.message.content", json::Value("You are terse.")},
          {"llm.input_messages.1.message.role", json::Value("user")},
          {"llm.input_messages.1.message.contents.0.message_content.type", json::Value("text")},
          {"llm.input_messages.1.message.contents.0.message_content.text", json::Value("Hi")},
          {"llm.output_messages.0.message.role", json::Value("assistant")},
          {"llm.output_messages.0.message.tool_calls.0.tool_call.id", json::Value("c9")},
          {"llm.output_messages.0.message.tool_calls.0.tool_call.function.name", json::Value("f")},
          {"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
           json::Value("{}")},
          {"llm.token_count.prompt", json::Value(int64_t{5})},
          {"llm.token_count.completion", json::Value(int64_t{6})},
          {"llm.token_count.total", json::Value(int64_t{11})},
          {"llm.invocation_parameters", json::Value(R"({"temperature":0.1})")},
          {"input.value", json::Value("raw input")},
          {"metadata", json::Value(R"({"user":"u1"})")},
          {"tag.tags", json::Value(json::Array{json::Value("a"), json::Value("b")})},
          {"session.id", json::Value("s1")},
      }));
  EXPECT_EQ(At(row, {"span_attributes", "type"}), json::Value("llm"));
  EXPECT_EQ(At(row, {"input"}),
            J(R"([{"role":"system","content":"You are terse."},{"role":"user","content":"Hi"}])"));
  EXPECT_EQ(At(row, {"output"}),
            J(R"([{"role":"assistant","tool_calls":[{"id":"c9","type":"function",
      "function":{"name":"f","arguments":"{}"}}]}])"));
  EXPECT_EQ(At(row, {"metadata", "model"}), json::Value("gpt-4o-mini"));
  EXPECT_EQ(At(row, {"metadata", "provider"}), json::Value("openai"));
  EXPECT_EQ(At(row, {"metadata", "temperature"}), json::Value(0.1));
  EXPECT_EQ(At(row, {"metadata", "user"}), json::Value("u1"));
  EXPECT_EQ(At(row, {"metadata", "session.id"}), json::Value("s1"));
  EXPECT_EQ(At(row, {"metadata", "input.value"}), json::Value("raw input"));  // messages won
  EXPECT_EQ(At(row, {"metadata", "openinference.span.kind"}), json::Value("LLM"));
  EXPECT_EQ(At(row, {"metrics", "tokens"}), json::Value(11));
  EXPECT_EQ(At(row, {"tags"}), J(R"(["a","b"])"));
}

TEST(MapSpan, OpenInferenceValuesByMimeType) {
  json::Value row = Map(NewSpan(kChild, kRoot,
                                {
                                    {"openinference.span.kind", json::Value("CHAIN")},
                                    {"input.value", json::Value(R"({"question":"why"})")},
                                    {"input.mime_type", json::Value("application/json")},
                                    {"output.value", json::Value(R"({"not":"parsed"})")},
                                    {"output.mime_type", json::Value("text/plain")},
                                }));
  EXPECT_EQ(At(row, {"span_attributes", "type"}), json::Value("task"));
  EXPECT_EQ(At(row, {"input"}), J(R"({"question":"why"})"));
  EXPECT_EQ(At(row, {"output"}), json::Value(R"({"not":"parsed"})"));
  EXPECT_EQ(row.find("metadata")->find("input.mime_type"), nullptr);
}

TEST(MapSpan, BraintrustAttributes) {
  std::string parent;
  json::Value row = Map(
      NewSpan(
          kChild, kRoot,
          {
              {"braintrust.input_json", json::Value(R"({"q":"2+2"})")},
              {"braintrust.output", json::Value("4")},
              {"braintrust.expected_json", json::Value("4")},
              {"braintrust.metadata", json::Value(R"({"split":"test"})")},
              {"braintrust.metadata.owner", json::Value("me")},
              {"braintrust.scores", json::Value(R"({"exact":1,"fuzzy":0.5})")},
              {"braintrust.scores.other", json::Value(0.25)},
              {"braintrust.metrics", json::Value(R"({"latency_ms":12.5})")},
              {"braintrust.tags", json::Value(json::Array{json::Value("t1")})},
              {"braintrust.span_attributes", json::Value(R"({"type":"score","purpose":"scorer"})")},
              {"braintrust.parent", json::Value("project_name:other")},
              {"input.value", json::Value("loses to braintrust.input_json")},
          }),
      &parent);
  EXPECT_EQ(At(row, {"input"}), J(R"({"q":"2+2"})"));
  EXPECT_EQ(At(row, {"output"}), json::Value("4"));
  EXPECT_EQ(At(row, {"expected"}), json::Value(4));
  EXPECT_EQ(At(row, {"metadata", "split"}), json::Value("test"));
  EXPECT_EQ(At(row, {"metadata", "owner"}), json::Value("me"));
  EXPECT_EQ(At(row, {"metadata", "input.value"}), json::Value("loses to braintrust.input_json"));
  EXPECT_EQ(At(row, {"scores"}), J(R"({"exact":1,"fuzzy":0.5,"other":0.25})"));
  EXPECT_EQ(At(row, {"metrics", "latency_ms"}), json::Value(12.5));
  EXPECT_EQ(At(row, {"tags"}), J(R"(["t1"])"));
  EXPECT_EQ(At(row, {"span_attributes"}), J(R"({"name":"op","type":"score","purpose":"scorer"})"));
  EXPECT_EQ(parent, "project_name:other");
  for (const auto& [k, v] : row.find("metadata")->as_object()) {
    EXPECT_NE(k.rfind("braintrust.", 0), 0u) << k;
  }
}

TEST(MapSpan, BadBraintrustValuesStayInMetadata) {
  json::Value row = Map(NewSpan(kChild, kRoot,
                                {
                                    {"braintrust.input_json", json::Value("{not json")},
                                    {"braintrust.scores", json::Value(R"({"too_high":1.5})")},
                                    {"braintrust.metrics.bad", json::Value("fast")},
                                    {"braintrust.tags", json::Value(json::Array{json::Value(1)})},
                                }));
  EXPECT_EQ(row.find("input"), nullptr);
  EXPECT_EQ(row.find("scores"), nullptr);
  EXPECT_EQ(row.find("tags"), nullptr);
  EXPECT_EQ(At(row, {"metadata", "braintrust.input_json"}), json::Value("{not json"));
  EXPECT_EQ(At(row, {"metadata", "braintrust.scores"}), json::Value(R"({"too_high":1.5})"));
  EXPECT_EQ(At(row, {"metadata", "braintrust.metrics.bad"}), json::Value("fast"));
}

TEST(MapSpan, PreserveAttributesKeepsConsumedKeys) {
  json::Value row = Map(NewSpan(kChild, kRoot,
                                {
                                    {"braintrust.otel.preserve_attributes", json::Value(true)},
                                    {"gen_ai.usage.input_tokens", json::Value(int64_t{3})},
                                }));
  EXPECT_EQ(At(row, {"metrics", "prompt_tokens"}), json::Value(3));
  EXPECT_EQ(At(row, {"metadata", "gen_ai.usage.input_tokens"}), json::Value(3));
}

TEST(MapSpan, ErrorsFromStatusAndExceptions) {
  Span s = NewSpan(kRoot, "", {});
  s.status_code = StatusCode::kError;
  s.status_message = "request failed";
  EXPECT_EQ(At(Map(s), {"error"}), json::Value("request failed"));

  s.events.push_back(Event{5,
                           "exception",
                           {{"exception.type", json::Value("ValueError")},
                            {"exception.message", json::Value("bad value")},
                            {"exception.stacktrace", json::Value("at f()")}}});
  s.events.push_back(
      Event{6,
            "exception",
            {{"exception.message", json::Value("second")}, {"thread", json::Value("main")}}});
  json::Value row = Map(s);
  EXPECT_EQ(At(row, {"error"}), json::Value("ValueError: bad value\nat f()\n\nsecond"));
  const json::Value& events = At(row, {"metadata", "otel.events"});
  ASSERT_TRUE(events.is_array());
  ASSERT_EQ(events.as_array().size(), 1u);  // the one with an attribute error does not keep
  EXPECT_EQ(*events.as_array()[0].find_path({"attributes", "thread"}), json::Value("main"));
}

TEST(MapSpan, LinksAndTraceState) {
  Span s = NewSpan(kRoot, "", {});
  s.trace_state = "vendor=1";
  s.links.push_back(Link{kTrace, kChild, "", {{"why", json::Value("batch")}}});
  json::Value row = Map(s);
  EXPECT_EQ(At(row, {"metadata", "otel.trace_state"}), json::Value("vendor=1"));
  EXPECT_EQ(At(row, {"metadata", "otel.links"}),
            J(R"([{"trace_id":"0a0b0c0d0e0f10111213141516171819","span_id":"0202020202020202",
                  "attributes":{"why":"batch"}}])"));
}

}  // namespace
}  // namespace spanlake::otel
