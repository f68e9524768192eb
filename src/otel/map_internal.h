// Internal to src/otel: the pieces MapSpan() is assembled from. Each
// attribute convention (braintrust.*, OpenInference, GenAI) is a function
// that reads a span's attributes through SpanAttrs and fills RowParts,
// setting only what is still unset, so calling them in precedence order
// gives the precedence.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "json/value.h"
#include "otel/trace.h"

namespace spanlake::otel::internal {

// A span's attributes by key (the last value wins for a repeated key), and
// which keys a convention consumed (moved into a structured field).
// REQUIRES: `attributes` outlives this.
class SpanAttrs {
 public:
  explicit SpanAttrs(const Attributes& attributes);

  const json::Value* Find(std::string_view key) const;
  // The value when it is a string, else nullptr.
  const std::string* FindString(std::string_view key) const;
  // Marks `key` consumed (no-op when the span has no such attribute).
  void Consume(std::string_view key);
  bool IsConsumed(std::string_view key) const { return consumed_.count(key) > 0; }
  // Distinct keys starting with `prefix`, in wire order.
  std::vector<std::string_view> KeysWithPrefix(std::string_view prefix) const;
  const Attributes& attributes() const { return attributes_; }
  // Whether attributes()[i] is the entry Find() returns for its key.
  bool IsLast(size_t i) const { return last_.at(attributes_[i].first) == i; }

 private:
  const Attributes& attributes_;
  std::unordered_map<std::string_view, size_t> last_;
  std::unordered_set<std::string_view> consumed_;
};

// The parts of a row the conventions fill. Null json values are unset.
struct RowParts {
  json::Value input;
  json::Value output;
  json::Value expected;
  std::string type;              // span_attributes.type
  json::Object span_attributes;  // extra span_attributes (braintrust.span_attributes)
  json::Object metrics;          // token counts and other metrics
  json::Object scores;
  json::Object metadata;           // derived entries (model, provider, ...)
  json::Object metadata_override;  // braintrust.metadata: wins over everything
  std::optional<json::Array> tags;
  std::string parent;                // braintrust.parent
  bool preserve_attributes = false;  // braintrust.otel.preserve_attributes
};

void ApplyBraintrust(SpanAttrs& attrs, RowParts* parts);
void ApplyOpenInference(SpanAttrs& attrs, RowParts* parts);
// `used_events[i]` is set for the span events whose content went into input
// or output (they are then left out of metadata["otel.events"]).
void ApplyGenAi(SpanAttrs& attrs, const Span& span, RowParts* parts,
                std::vector<bool>* used_events);

// --- helpers shared by the conventions ---

// `v` parsed as JSON text when it is a string holding a JSON document.
std::optional<json::Value> ParseJsonText(const json::Value& v);
// `v` parsed when it is a string holding a JSON object or array; else `v`.
json::Value MaybeJson(const json::Value& v);
// A number from a number or a numeric string; nullopt otherwise.
std::optional<json::Value> AsNumber(const json::Value* v);
// Sets `key` only when absent.
void SetIfAbsent(json::Object& obj, std::string_view key, json::Value value);
// Rebuilds the flattened attributes under `prefix` ("llm.input_messages.")
// as a tree: numeric path segments become array positions (in index order),
// others object keys. Consumes the keys. Null when there are none.
json::Value Unflatten(SpanAttrs& attrs, std::string_view prefix);
// A numeric metric attribute into metrics[name] (when unset); consumes it.
void TakeMetric(SpanAttrs& attrs, std::string_view key, const char* name, json::Object* metrics);
// A string attribute into metadata[name] (when unset); consumes it.
bool TakeMetadata(SpanAttrs& attrs, std::string_view key, const char* name, json::Object* metadata);

// Chat messages in the OpenAI shape ({role, content, tool_calls?,
// tool_call_id?}) from each convention's message shape.
json::Value ChatFromGenAiMessages(const json::Value& messages);  // parts-based (semconv >= 1.36)
json::Value ChatFromIndexed(const json::Value& messages);        // gen_ai.prompt.N.* (OpenLLMetry)
json::Value ChatFromOpenInference(const json::Value& messages);  // llm.*_messages.N.message.*

}  // namespace spanlake::otel::internal
