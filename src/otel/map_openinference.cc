// OpenInference semantic conventions (Arize; LlamaIndex, LangChain, DSPy and
// others instrument with them): openinference.span.kind, input.value /
// output.value with their mime types, llm.input_messages / llm.output_messages
// (flattened, indexed), llm.model_name, llm.token_count.*,
// llm.invocation_parameters, metadata, tag.tags.
#include "otel/map_internal.h"

namespace spanlake::otel::internal {

namespace {

std::string SpanType(const std::string& kind) {
  if (kind == "LLM" || kind == "EMBEDDING") return "llm";
  if (kind == "TOOL") return "tool";
  if (kind == "CHAIN" || kind == "AGENT") return "task";
  if (kind == "EVALUATOR") return "score";
  if (kind == "RETRIEVER" || kind == "RERANKER" || kind == "GUARDRAIL" || kind == "PROMPT") {
    return "function";
  }
  return "";
}

// input.value / output.value: JSON when the mime type says so (or, with no
// mime type, when it is a JSON object or array), else the text.
void TakeValue(SpanAttrs& attrs, const std::string& side, json::Value* out) {
  std::string key = side + ".value";
  std::string mime_key = side + ".mime_type";
  const json::Value* v = attrs.Find(key);
  if (v == nullptr || v->is_null() || !out->is_null()) return;
  const std::string* mime = attrs.FindString(mime_key);
  if (mime != nullptr && mime->rfind("application/json", 0) == 0) {
    *out = ParseJsonText(*v).value_or(*v);
  } else if (mime != nullptr) {
    *out = *v;
  } else {
    *out = MaybeJson(*v);
  }
  attrs.Consume(key);
  attrs.Consume(mime_key);
}

void TakeMessages(SpanAttrs& attrs, const char* prefix, json::Value* out) {
  if (!out->is_null() || attrs.KeysWithPrefix(prefix).empty()) return;
  *out = ChatFromOpenInference(Unflatten(attrs, prefix));
}

void TakeTokens(SpanAttrs& attrs, json::Object* metrics) {
  TakeMetric(attrs, "llm.token_count.prompt", "prompt_tokens", metrics);
  TakeMetric(attrs, "llm.token_count.completion", "completion_tokens", metrics);
  TakeMetric(attrs, "llm.token_count.total", "tokens", metrics);
  TakeMetric(attrs, "llm.token_count.prompt_details.cache_read", "prompt_cached_tokens", metrics);
  TakeMetric(attrs, "llm.token_count.prompt_details.cache_write", "prompt_cache_creation_tokens",
             metrics);
  TakeMetric(attrs, "llm.token_count.completion_details.reasoning", "completion_reasoning_tokens",
             metrics);
}

// A JSON object attribute whose entries join metadata (existing keys win).
void MergeObject(SpanAttrs& attrs, const char* key, json::Object* metadata) {
  const json::Value* v = attrs.Find(key);
  if (v == nullptr) return;
  json::Value obj = v->is_string() ? ParseJsonText(*v).value_or(json::Value()) : *v;
  if (!obj.is_object()) return;
  for (const auto& [k, e] : obj.as_object()) SetIfAbsent(*metadata, k, e);
  attrs.Consume(key);
}

void TakeTags(SpanAttrs& attrs, RowParts* parts) {
  const json::Value* v = attrs.Find("tag.tags");
  if (parts->tags || v == nullptr) return;
  json::Value tags = v->is_string() ? ParseJsonText(*v).value_or(json::Value()) : *v;
  if (!tags.is_array()) return;
  for (const json::Value& t : tags.as_array()) {
    if (!t.is_string()) return;
  }
  parts->tags = tags.as_array();
  attrs.Consume("tag.tags");
}

}  // namespace

void ApplyOpenInference(SpanAttrs& attrs, RowParts* parts) {
  if (const std::string* kind = attrs.FindString("openinference.span.kind");
      kind && parts->type.empty()) {
    parts->type = SpanType(*kind);
  }
  TakeMessages(attrs, "llm.input_messages.", &parts->input);
  TakeMessages(attrs, "llm.output_messages.", &parts->output);
  TakeValue(attrs, "input", &parts->input);
  TakeValue(attrs, "output", &parts->output);
  TakeTokens(attrs, &parts->metrics);
  TakeMetadata(attrs, "llm.model_name", "model", &parts->metadata);
  if (!TakeMetadata(attrs, "llm.provider", "provider", &parts->metadata)) {
    TakeMetadata(attrs, "llm.system", "provider", &parts->metadata);
  }
  MergeObject(attrs, "llm.invocation_parameters", &parts->metadata);
  MergeObject(attrs, "metadata", &parts->metadata);
  TakeTags(attrs, parts);
}

}  // namespace spanlake::otel::internal
