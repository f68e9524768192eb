// The OpenTelemetry GenAI semantic conventions (gen_ai.*), old and new:
// messages as span events (gen_ai.{system,user,assistant,tool}.message,
// gen_ai.choice, gen_ai.content.prompt/completion,
// gen_ai.client.inference.operation.details), as JSON attributes
// (gen_ai.input.messages, gen_ai.output.messages, gen_ai.system_instructions),
// as indexed attributes (gen_ai.prompt.N.*, gen_ai.completion.N.*, as
// OpenLLMetry writes them) or as plain text (gen_ai.prompt/completion); tool
// calls (gen_ai.tool.call.arguments/result); usage, model, provider and
// request parameters. Message events, when they give any message, win over
// message attributes.
#include "otel/map_internal.h"

namespace spanlake::otel::internal {

namespace {

constexpr std::string_view kRolePrefix = "gen_ai.";
constexpr std::string_view kRoleSuffix = ".message";

json::Value AttrOrNull(const Attributes& attributes, std::string_view key) {
  const json::Value* found = nullptr;
  for (const auto& [k, v] : attributes) {
    if (k == key) found = &v;
  }
  return found ? *found : json::Value();
}

// {role, content, tool_calls?, tool_call_id?} from a gen_ai.<role>.message event.
json::Value RoleEventMessage(const Event& e, std::string_view role) {
  json::Object m{{"role", std::string(AttrOrNull(e.attributes, "role").is_string()
                                          ? AttrOrNull(e.attributes, "role").as_string()
                                          : std::string(role))}};
  json::Value content = AttrOrNull(e.attributes, "content");
  if (content.is_null()) content = AttrOrNull(e.attributes, "gen_ai.event.content");
  if (content.is_string()) {
    // Some instrumentations put the whole message body, JSON-encoded, here.
    json::Value body = MaybeJson(content);
    if (body.is_object() && (body.find("content") || body.find("tool_calls"))) {
      for (const auto& [k, v] : body.as_object()) m.set(k, v);
      return json::Value(std::move(m));
    }
  }
  m.set("content", content);
  json::Value calls = MaybeJson(AttrOrNull(e.attributes, "tool_calls"));
  if (calls.is_array()) m.set("tool_calls", calls);
  json::Value id = AttrOrNull(e.attributes, "id");
  if (role == "tool" && !id.is_null()) m.set("tool_call_id", id);
  return json::Value(std::move(m));
}

// A gen_ai.choice event: the message (object or JSON text) and finish_reason.
json::Value ChoiceEventMessage(const Event& e) {
  json::Value msg = MaybeJson(AttrOrNull(e.attributes, "message"));
  json::Object m;
  if (msg.is_object()) {
    m = msg.as_object();
  } else {
    m.set("role", "assistant");
    m.set("content", msg.is_null() ? AttrOrNull(e.attributes, "content") : msg);
  }
  json::Value finish = AttrOrNull(e.attributes, "finish_reason");
  if (!finish.is_null()) m.set("finish_reason", finish);
  return json::Value(std::move(m));
}

// The messages of a JSON-valued attribute (parts-based), in chat shape.
json::Value MessagesFrom(const json::Value& v) {
  json::Value doc = v.is_string() ? ParseJsonText(v).value_or(json::Value()) : v;
  return doc.is_array() ? ChatFromGenAiMessages(doc) : json::Value();
}

// gen_ai.system_instructions: text, or an array of parts.
json::Value SystemMessage(const json::Value& v) {
  json::Value doc = MaybeJson(v);
  json::Value content = doc;
  if (doc.is_array()) {
    json::Value m = ChatFromGenAiMessages(json::Value(json::Array{json::Object{{"parts", doc}}}));
    content = *m.as_array()[0].find("content");
  }
  return json::Value(json::Object{{"role", "system"}, {"content", content}});
}

json::Value WithSystem(json::Value messages, const json::Value* system) {
  if (system == nullptr || system->is_null() || !messages.is_array()) return messages;
  json::Array out{SystemMessage(*system)};
  for (json::Value& m : messages.as_array()) out.push_back(std::move(m));
  return json::Value(std::move(out));
}

struct EventMessages {
  json::Array input;
  json::Array output;
  json::Value input_doc;  // a whole prompt from gen_ai.content.prompt / operation details
  json::Value output_doc;
};

enum Side { kNone = 0, kInput = 1, kOutput = 2, kBoth = 3 };

// Reads one event; returns which side(s) it carried messages for.
int ReadEvent(const Event& e, EventMessages* m) {
  const std::string& n = e.name;
  if (n == "gen_ai.choice") {
    m->output.push_back(ChoiceEventMessage(e));
    return kOutput;
  }
  if (n.size() > kRolePrefix.size() + kRoleSuffix.size() && n.rfind(kRolePrefix, 0) == 0 &&
      n.compare(n.size() - kRoleSuffix.size(), kRoleSuffix.size(), kRoleSuffix) == 0) {
    std::string_view role(n.data() + kRolePrefix.size(),
                          n.size() - kRolePrefix.size() - kRoleSuffix.size());
    if (role != "system" && role != "user" && role != "assistant" && role != "tool") return kNone;
    m->input.push_back(RoleEventMessage(e, role));
    return kInput;
  }
  if (n == "gen_ai.content.prompt") {
    m->input_doc = MaybeJson(AttrOrNull(e.attributes, "gen_ai.prompt"));
    return kInput;
  }
  if (n == "gen_ai.content.completion") {
    m->output_doc = MaybeJson(AttrOrNull(e.attributes, "gen_ai.completion"));
    return kOutput;
  }
  if (n == "gen_ai.client.inference.operation.details") {
    json::Value system = AttrOrNull(e.attributes, "gen_ai.system_instructions");
    m->input_doc =
        WithSystem(MessagesFrom(AttrOrNull(e.attributes, "gen_ai.input.messages")), &system);
    m->output_doc = MessagesFrom(AttrOrNull(e.attributes, "gen_ai.output.messages"));
    return kBoth;
  }
  return kNone;
}

// Events whose messages were used are marked in `used`; the others (and all
// of them when input and output were already set) stay in metadata.
void ApplyEvents(const Span& span, RowParts* parts, std::vector<bool>* used) {
  EventMessages m;
  std::vector<int> sides(span.events.size(), kNone);
  for (size_t i = 0; i < span.events.size(); ++i) sides[i] = ReadEvent(span.events[i], &m);
  int applied = kNone;
  if (parts->input.is_null()) {
    parts->input = !m.input.empty() ? json::Value(std::move(m.input)) : std::move(m.input_doc);
    if (!parts->input.is_null()) applied |= kInput;
  }
  if (parts->output.is_null()) {
    parts->output = !m.output.empty() ? json::Value(std::move(m.output)) : std::move(m.output_doc);
    if (!parts->output.is_null()) applied |= kOutput;
  }
  for (size_t i = 0; i < sides.size(); ++i) {
    if (sides[i] != kNone && (sides[i] & ~applied) == 0) (*used)[i] = true;
  }
}

void ApplyMessageAttributes(SpanAttrs& attrs, RowParts* parts) {
  if (parts->input.is_null()) {
    if (const json::Value* v = attrs.Find("gen_ai.input.messages")) {
      parts->input = WithSystem(MessagesFrom(*v), attrs.Find("gen_ai.system_instructions"));
      if (!parts->input.is_null()) {
        attrs.Consume("gen_ai.input.messages");
        attrs.Consume("gen_ai.system_instructions");
      }
    }
  }
  if (parts->output.is_null()) {
    if (const json::Value* v = attrs.Find("gen_ai.output.messages")) {
      parts->output = MessagesFrom(*v);
      if (!parts->output.is_null()) attrs.Consume("gen_ai.output.messages");
    }
  }
}

// gen_ai.prompt.N.* / gen_ai.completion.N.*, else gen_ai.prompt / gen_ai.completion.
void ApplyIndexedMessages(SpanAttrs& attrs, const char* name, json::Value* out) {
  if (!out->is_null()) return;
  std::string prefix = std::string(name) + ".";
  if (!attrs.KeysWithPrefix(prefix).empty()) {
    *out = ChatFromIndexed(Unflatten(attrs, prefix));
  } else if (const json::Value* v = attrs.Find(name); v != nullptr && !v->is_null()) {
    *out = MaybeJson(*v);
    attrs.Consume(name);
  }
}

void ApplyTool(SpanAttrs& attrs, RowParts* parts) {
  if (parts->input.is_null() && attrs.Find("gen_ai.tool.call.arguments")) {
    parts->input = MaybeJson(*attrs.Find("gen_ai.tool.call.arguments"));
    attrs.Consume("gen_ai.tool.call.arguments");
  }
  if (parts->output.is_null() && attrs.Find("gen_ai.tool.call.result")) {
    parts->output = MaybeJson(*attrs.Find("gen_ai.tool.call.result"));
    attrs.Consume("gen_ai.tool.call.result");
  }
}

std::string SpanType(const SpanAttrs& attrs) {
  if (const std::string* op = attrs.FindString("gen_ai.operation.name")) {
    if (*op == "execute_tool") return "tool";
    if (*op == "invoke_agent" || *op == "create_agent") return "task";
    return "llm";  // chat, text_completion, generate_content, embeddings, ...
  }
  if (attrs.Find("gen_ai.tool.name") || attrs.Find("gen_ai.tool.call.id")) return "tool";
  for (const char* k :
       {"gen_ai.system", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model"}) {
    if (attrs.Find(k)) return "llm";
  }
  return "";
}

void ApplyUsageAndModel(SpanAttrs& attrs, RowParts* parts) {
  json::Object* metrics = &parts->metrics;
  TakeMetric(attrs, "gen_ai.usage.input_tokens", "prompt_tokens", metrics);
  TakeMetric(attrs, "gen_ai.usage.prompt_tokens", "prompt_tokens", metrics);
  TakeMetric(attrs, "gen_ai.usage.output_tokens", "completion_tokens", metrics);
  TakeMetric(attrs, "gen_ai.usage.completion_tokens", "completion_tokens", metrics);
  TakeMetric(attrs, "gen_ai.usage.total_tokens", "tokens", metrics);
  TakeMetric(attrs, "llm.usage.total_tokens", "tokens", metrics);
  TakeMetric(attrs, "gen_ai.usage.cache_read.input_tokens", "prompt_cached_tokens", metrics);
  TakeMetric(attrs, "gen_ai.usage.cache_read_input_tokens", "prompt_cached_tokens", metrics);
  TakeMetric(attrs, "gen_ai.usage.cache_creation.input_tokens", "prompt_cache_creation_tokens",
             metrics);
  TakeMetric(attrs, "gen_ai.usage.cache_creation_input_tokens", "prompt_cache_creation_tokens",
             metrics);
  json::Object* md = &parts->metadata;
  if (!TakeMetadata(attrs, "gen_ai.response.model", "model", md)) {
    TakeMetadata(attrs, "gen_ai.request.model", "model", md);
  }
  if (!TakeMetadata(attrs, "gen_ai.provider.name", "provider", md)) {
    TakeMetadata(attrs, "gen_ai.system", "provider", md);
  }
  for (const char* p : {"temperature", "max_tokens", "top_p", "top_k", "frequency_penalty",
                        "presence_penalty", "seed", "stop_sequences"}) {
    TakeMetadata(attrs, std::string("gen_ai.request.") + p, p, md);
  }
}

}  // namespace

void ApplyGenAi(SpanAttrs& attrs, const Span& span, RowParts* parts,
                std::vector<bool>* used_events) {
  if (parts->type.empty()) parts->type = SpanType(attrs);
  ApplyEvents(span, parts, used_events);
  ApplyMessageAttributes(attrs, parts);
  ApplyIndexedMessages(attrs, "gen_ai.prompt", &parts->input);
  ApplyIndexedMessages(attrs, "gen_ai.completion", &parts->output);
  ApplyTool(attrs, parts);
  ApplyUsageAndModel(attrs, parts);
}

}  // namespace spanlake::otel::internal
