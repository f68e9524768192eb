// Helpers the attribute conventions share: attribute lookup with
// consumption, un-flattening of indexed attributes, and chat messages in the
// OpenAI shape from each convention's message shape.
#include <algorithm>
#include <charconv>
#include <memory>

#include "otel/map_internal.h"

namespace spanlake::otel::internal {

SpanAttrs::SpanAttrs(const Attributes& attributes) : attributes_(attributes) {
  last_.reserve(attributes.size());
  for (size_t i = 0; i < attributes.size(); ++i) last_[attributes[i].first] = i;
}

const json::Value* SpanAttrs::Find(std::string_view key) const {
  auto it = last_.find(key);
  return it == last_.end() ? nullptr : &attributes_[it->second].second;
}

const std::string* SpanAttrs::FindString(std::string_view key) const {
  const json::Value* v = Find(key);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

void SpanAttrs::Consume(std::string_view key) {
  auto it = last_.find(key);
  if (it != last_.end()) consumed_.insert(it->first);  // the map's view: stable storage
}

std::vector<std::string_view> SpanAttrs::KeysWithPrefix(std::string_view prefix) const {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < attributes_.size(); ++i) {
    std::string_view k = attributes_[i].first;
    if (k.size() > prefix.size() && k.substr(0, prefix.size()) == prefix && IsLast(i)) {
      out.push_back(k);
    }
  }
  return out;
}

std::optional<json::Value> ParseJsonText(const json::Value& v) {
  if (!v.is_string()) return std::nullopt;
  Result<json::Value> parsed = json::Value::Parse(v.as_string());
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed).value();
}

json::Value MaybeJson(const json::Value& v) {
  if (!v.is_string()) return v;
  const std::string& s = v.as_string();
  size_t i = s.find_first_not_of(" \t\r\n");
  if (i == std::string::npos || (s[i] != '{' && s[i] != '[')) return v;
  std::optional<json::Value> parsed = ParseJsonText(v);
  return parsed ? *parsed : v;
}

std::optional<json::Value> AsNumber(const json::Value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) return *v;
  if (!v->is_string() || v->as_string().empty()) return std::nullopt;
  const std::string& s = v->as_string();
  int64_t i = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc() && p == s.data() + s.size()) return json::Value(i);
  double d = 0;
  auto [q, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec2 == std::errc() && q == s.data() + s.size()) return json::Value(d);
  return std::nullopt;
}

void SetIfAbsent(json::Object& obj, std::string_view key, json::Value value) {
  if (!obj.contains(key)) obj.set(key, std::move(value));
}

void TakeMetric(SpanAttrs& attrs, std::string_view key, const char* name, json::Object* metrics) {
  if (metrics->contains(name)) return;
  std::optional<json::Value> n = AsNumber(attrs.Find(key));
  if (!n) return;
  metrics->set(name, std::move(*n));
  attrs.Consume(key);
}

bool TakeMetadata(SpanAttrs& attrs, std::string_view key, const char* name,
                  json::Object* metadata) {
  const json::Value* v = attrs.Find(key);
  if (v == nullptr || v->is_null() || metadata->contains(name)) return false;
  metadata->set(name, *v);
  attrs.Consume(key);
  return true;
}

// --- Unflatten ---

namespace {

// Deeper paths keep their remainder as one key: bounded recursion.
constexpr int kMaxPathSegments = 16;

struct Node {
  const json::Value* leaf = nullptr;
  std::string_view leaf_key;  // the attribute key of `leaf`
  std::vector<std::pair<std::string_view, std::unique_ptr<Node>>> children;

  Node* Child(std::string_view name) {
    for (auto& [n, c] : children) {
      if (n == name) return c.get();
    }
    children.emplace_back(name, std::make_unique<Node>());
    return children.back().second.get();
  }
};

std::optional<uint64_t> Index(std::string_view s) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

void Insert(Node* root, std::string_view key, std::string_view path, const json::Value* v) {
  Node* node = root;
  for (int depth = 0; !path.empty(); ++depth) {
    size_t dot = depth + 1 < kMaxPathSegments ? path.find('.') : std::string_view::npos;
    node = node->Child(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  node->leaf = v;
  node->leaf_key = key;
}

// A key that is both a value and a prefix of others ("a.b" and "a.b.c") is
// not consumed: its value stays in metadata.
json::Value Build(const Node& node, SpanAttrs& attrs) {
  if (node.children.empty()) {
    attrs.Consume(node.leaf_key);
    return *node.leaf;
  }
  bool all_indexes = true;
  for (const auto& [name, child] : node.children) {
    all_indexes = all_indexes && Index(name).has_value();
  }
  if (!all_indexes) {
    json::Object obj;
    for (const auto& [name, child] : node.children) obj.set(name, Build(*child, attrs));
    return json::Value(std::move(obj));
  }
  std::vector<std::pair<uint64_t, const Node*>> order;
  for (const auto& [name, child] : node.children) order.emplace_back(*Index(name), child.get());
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json::Array arr;
  for (const auto& [i, child] : order) arr.push_back(Build(*child, attrs));
  return json::Value(std::move(arr));
}

}  // namespace

json::Value Unflatten(SpanAttrs& attrs, std::string_view prefix) {
  std::vector<std::string_view> keys = attrs.KeysWithPrefix(prefix);
  if (keys.empty()) return json::Value();
  Node root;
  for (std::string_view key : keys) Insert(&root, key, key.substr(prefix.size()), attrs.Find(key));
  return Build(root, attrs);
}

// --- chat messages ---

namespace {

std::string AsText(const json::Value& v) { return v.is_string() ? v.as_string() : v.Dump(); }

json::Value ToolCall(const json::Value* id, const json::Value* name, const json::Value* arguments) {
  json::Object fn{{"name", name ? *name : json::Value()},
                  {"arguments", arguments ? json::Value(AsText(*arguments)) : json::Value("")}};
  json::Object call;
  if (id != nullptr) call.set("id", *id);
  call.set("type", "function");
  call.set("function", std::move(fn));
  return json::Value(std::move(call));
}

// Content from parts: a lone text part becomes a string, else an array.
json::Value ContentFromParts(json::Array parts) {
  if (parts.empty()) return json::Value();
  const json::Value* text = parts.size() == 1 ? parts[0].find("text") : nullptr;
  if (text != nullptr && parts[0].find("type") && *parts[0].find("type") == json::Value("text")) {
    return *text;
  }
  return json::Value(std::move(parts));
}

// Copies `keys` of `from` into `to` when present.
void CopyKeys(const json::Value& from, json::Object& to, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (const json::Value* v = from.find(k); v != nullptr && !v->is_null()) to.set(k, *v);
  }
}

json::Value GenAiMessage(const json::Value& m) {
  const json::Value* parts = m.find("parts");
  if (parts == nullptr || !parts->is_array()) return m;  // already chat-shaped
  json::Object out;
  CopyKeys(m, out, {"role", "name"});
  json::Array content;
  json::Array tool_calls;
  for (const json::Value& p : parts->as_array()) {
    const json::Value* type = p.find("type");
    std::string t = type && type->is_string() ? type->as_string() : "";
    if (t == "text" && p.find("content")) {
      content.push_back(json::Object{{"type", "text"}, {"text", *p.find("content")}});
    } else if (t == "tool_call") {
      tool_calls.push_back(ToolCall(p.find("id"), p.find("name"), p.find("arguments")));
    } else if (t == "tool_call_response") {
      out.set("role", "tool");
      if (const json::Value* id = p.find("id")) out.set("tool_call_id", *id);
      if (const json::Value* r = p.find("response")) {
        content.push_back(json::Object{{"type", "text"}, {"text", AsText(*r)}});
      }
    } else {
      content.push_back(p);
    }
  }
  out.set("content", ContentFromParts(std::move(content)));
  if (!tool_calls.empty()) out.set("tool_calls", std::move(tool_calls));
  CopyKeys(m, out, {"finish_reason"});
  return json::Value(std::move(out));
}

}  // namespace

json::Value ChatFromGenAiMessages(const json::Value& messages) {
  if (!messages.is_array()) return messages;
  json::Array out;
  for (const json::Value& m : messages.as_array()) out.push_back(GenAiMessage(m));
  return json::Value(std::move(out));
}

json::Value ChatFromIndexed(const json::Value& messages) {
  if (!messages.is_array()) return messages;
  json::Array out;
  for (const json::Value& m : messages.as_array()) {
    if (!m.is_object()) {
      out.push_back(m);
      continue;
    }
    json::Object msg;
    CopyKeys(m, msg, {"role", "content", "name", "tool_call_id"});
    if (const json::Value* calls = m.find("tool_calls"); calls && calls->is_array()) {
      json::Array tool_calls;
      for (const json::Value& c : calls->as_array()) {
        tool_calls.push_back(ToolCall(c.find("id"), c.find("name"), c.find("arguments")));
      }
      msg.set("tool_calls", std::move(tool_calls));
    }
    CopyKeys(m, msg, {"finish_reason"});
    out.push_back(json::Value(std::move(msg)));
  }
  return json::Value(std::move(out));
}

namespace {

json::Value OpenInferenceContents(const json::Value& contents) {
  json::Array parts;
  for (const json::Value& c : contents.as_array()) {
    const json::Value* mc = c.find("message_content");
    if (mc == nullptr) mc = &c;
    const json::Value* type = mc->find("type");
    if (mc->find("text") && (!type || *type == json::Value("text"))) {
      parts.push_back(json::Object{{"type", "text"}, {"text", *mc->find("text")}});
    } else if (const json::Value* url = mc->find_path({"image", "image", "url"})) {
      parts.push_back(
          json::Object{{"type", "image_url"}, {"image_url", json::Object{{"url", *url}}}});
    } else {
      parts.push_back(*mc);
    }
  }
  return ContentFromParts(std::move(parts));
}

json::Value OpenInferenceMessage(const json::Value& entry) {
  const json::Value* m = entry.find("message");
  if (m == nullptr || !m->is_object()) m = &entry;
  if (!m->is_object()) return *m;
  json::Object out;
  CopyKeys(*m, out, {"role", "content", "name", "tool_call_id"});
  if (const json::Value* c = m->find("contents"); c && c->is_array() && !out.contains("content")) {
    out.set("content", OpenInferenceContents(*c));
  }
  if (const json::Value* calls = m->find("tool_calls"); calls && calls->is_array()) {
    json::Array tool_calls;
    for (const json::Value& c : calls->as_array()) {
      const json::Value* tc = c.find("tool_call") ? c.find("tool_call") : &c;
      const json::Value* fn = tc->find("function");
      tool_calls.push_back(ToolCall(tc->find("id"), fn ? fn->find("name") : nullptr,
                                    fn ? fn->find("arguments") : nullptr));
    }
    out.set("tool_calls", std::move(tool_calls));
  }
  return json::Value(std::move(out));
}

}  // namespace

json::Value ChatFromOpenInference(const json::Value& messages) {
  if (!messages.is_array()) return messages;
  json::Array out;
  for (const json::Value& m : messages.as_array()) out.push_back(OpenInferenceMessage(m));
  return json::Value(std::move(out));
}

}  // namespace spanlake::otel::internal
