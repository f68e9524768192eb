// Braintrust's own attributes: braintrust.input/output/expected (as sent, or
// JSON text in the *_json forms), braintrust.metadata/scores/metrics/
// span_attributes (a JSON object as text or kvlist, or one entry per
// "braintrust.<field>.<key>" attribute), braintrust.tags, braintrust.parent.
// A value of the wrong shape is not consumed: it stays in metadata under its
// own key, where it can be found, rather than being dropped.
#include "otel/map_internal.h"

namespace spanlake::otel::internal {

namespace {

void TakeData(SpanAttrs& attrs, const std::string& field, json::Value* out) {
  std::string json_key = "braintrust." + field + "_json";
  if (const json::Value* v = attrs.Find(json_key)) {
    if (std::optional<json::Value> parsed = ParseJsonText(*v)) {
      *out = std::move(*parsed);
      attrs.Consume(json_key);
      return;
    }
  }
  std::string key = "braintrust." + field;
  if (const json::Value* v = attrs.Find(key); v != nullptr && !v->is_null()) {
    *out = *v;
    attrs.Consume(key);
  }
}

bool IsScore(const json::Value& v) {
  return v.is_null() || (v.is_number() && v.as_double() >= 0 && v.as_double() <= 1);
}

// Checks one entry of an object field; returns the value to store.
std::optional<json::Value> Entry(const std::string& field, const json::Value& v) {
  if (field == "scores") {
    std::optional<json::Value> n = v.is_null() ? json::Value() : AsNumber(&v);
    if (!n || !IsScore(*n)) return std::nullopt;
    return n;
  }
  if (field == "metrics") {
    if (v.is_null()) return v;
    return AsNumber(&v);
  }
  return v;
}

// braintrust.<field> as a whole object (kvlist or JSON text).
void TakeWholeObject(SpanAttrs& attrs, const std::string& field, json::Object* out) {
  std::string key = "braintrust." + field;
  const json::Value* v = attrs.Find(key);
  if (v == nullptr) v = attrs.Find(key + "_json");
  if (v == nullptr) return;
  json::Value obj = v->is_string() ? ParseJsonText(*v).value_or(json::Value()) : *v;
  if (!obj.is_object()) return;
  json::Object checked;
  for (const auto& [k, e] : obj.as_object()) {
    std::optional<json::Value> ok = Entry(field, e);
    if (!ok) return;  // one bad entry keeps the whole attribute in metadata
    checked.set(k, std::move(*ok));
  }
  for (auto& [k, e] : checked) out->set(k, std::move(e));
  attrs.Consume(attrs.Find(key) ? key : key + "_json");
}

// braintrust.<field>.<key> attributes, one entry each.
void TakeObjectEntries(SpanAttrs& attrs, const std::string& field, json::Object* out) {
  std::string prefix = "braintrust." + field + ".";
  for (std::string_view key : attrs.KeysWithPrefix(prefix)) {
    std::optional<json::Value> ok = Entry(field, *attrs.Find(key));
    if (!ok) continue;
    out->set(key.substr(prefix.size()), std::move(*ok));
    attrs.Consume(key);
  }
}

void TakeTags(SpanAttrs& attrs, RowParts* parts) {
  const json::Value* v = attrs.Find("braintrust.tags");
  if (v == nullptr) return;
  json::Value tags = v->is_string() ? ParseJsonText(*v).value_or(json::Value()) : *v;
  if (!tags.is_array()) return;
  for (const json::Value& t : tags.as_array()) {
    if (!t.is_string()) return;
  }
  parts->tags = tags.as_array();
  attrs.Consume("braintrust.tags");
}

}  // namespace

void ApplyBraintrust(SpanAttrs& attrs, RowParts* parts) {
  TakeData(attrs, "input", &parts->input);
  TakeData(attrs, "output", &parts->output);
  TakeData(attrs, "expected", &parts->expected);
  TakeWholeObject(attrs, "metadata", &parts->metadata_override);
  TakeObjectEntries(attrs, "metadata", &parts->metadata_override);
  TakeWholeObject(attrs, "scores", &parts->scores);
  TakeObjectEntries(attrs, "scores", &parts->scores);
  TakeWholeObject(attrs, "metrics", &parts->metrics);
  TakeObjectEntries(attrs, "metrics", &parts->metrics);
  TakeWholeObject(attrs, "span_attributes", &parts->span_attributes);
  TakeObjectEntries(attrs, "span_attributes", &parts->span_attributes);
  TakeTags(attrs, parts);
  if (const json::Value* t = parts->span_attributes.find("type"); t && t->is_string()) {
    parts->type = t->as_string();
  }
  if (const std::string* p = attrs.FindString("braintrust.parent")) {
    parts->parent = *p;
    attrs.Consume("braintrust.parent");
  }
  if (const json::Value* p = attrs.Find("braintrust.otel.preserve_attributes")) {
    parts->preserve_attributes = *p == json::Value(true) || *p == json::Value("true");
  }
}

}  // namespace spanlake::otel::internal
