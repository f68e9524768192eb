#include "otel/map.h"

#include "base/time.h"
#include "otel/map_internal.h"

namespace spanlake::otel {

namespace {

using internal::RowParts;
using internal::SpanAttrs;

// Unix seconds; whole seconds and the fraction apart, so that a nanosecond
// count beyond 2^53 loses no more than the last digits of the fraction.
double Seconds(uint64_t unix_nano) {
  return static_cast<double>(unix_nano / 1000000000) +
         static_cast<double>(unix_nano % 1000000000) / 1e9;
}

bool AllZero(std::string_view id) { return id.find_first_not_of('\0') == std::string_view::npos; }

Status CheckIds(const Span& span) {
  if (span.trace_id.size() != 16 || AllZero(span.trace_id)) {
    return Status::InvalidArgument("span '" + span.name +
                                   "': trace id must be 16 bytes, not all zero");
  }
  if (span.span_id.size() != 8 || AllZero(span.span_id)) {
    return Status::InvalidArgument("span '" + span.name +
                                   "': span id must be 8 bytes, not all zero");
  }
  if (!span.parent_span_id.empty() && span.parent_span_id.size() != 8) {
    return Status::InvalidArgument("span '" + span.name +
                                   "': parent span id must be empty or 8 bytes");
  }
  return Status::Ok();
}

const char* KindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kServer:
      return "server";
    case SpanKind::kClient:
      return "client";
    case SpanKind::kProducer:
      return "producer";
    case SpanKind::kConsumer:
      return "consumer";
    default:
      return nullptr;
  }
}

json::Value AttributesObject(const Attributes& attributes) {
  json::Object obj;
  for (const auto& [k, v] : attributes) obj.set(k, v);
  return json::Value(std::move(obj));
}

json::Value EventJson(const Event& e) {
  json::Object out{{"name", e.name}, {"time", Seconds(e.time_unix_nano)}};
  if (!e.attributes.empty()) out.set("attributes", AttributesObject(e.attributes));
  return json::Value(std::move(out));
}

// "Type: message" and the stack trace of each exception event.
std::string ExceptionText(const Event& e) {
  std::string type, message, stack;
  for (const auto& [k, v] : e.attributes) {
    std::string text = v.is_string() ? v.as_string() : v.Dump();
    if (k == "exception.type") type = text;
    if (k == "exception.message") message = text;
    if (k == "exception.stacktrace") stack = text;
  }
  std::string out = type.empty() ? message : message.empty() ? type : type + ": " + message;
  // JavaScript stacks start with "Type: message" themselves.
  if (!stack.empty() && !out.empty() && stack.rfind(out, 0) == 0) return stack;
  if (!stack.empty()) out += (out.empty() ? "" : "\n") + stack;
  return out.empty() ? "exception" : out;
}

// Whether an exception event says no more than ExceptionText() keeps.
bool FullyInError(const Event& e) {
  for (const auto& [k, v] : e.attributes) {
    if (k != "exception.type" && k != "exception.message" && k != "exception.stacktrace" &&
        k != "exception.escaped") {
      return false;
    }
  }
  return true;
}

// The error text (empty for none); marks the exception events it consumed.
std::string ErrorText(const Span& span, std::vector<bool>* used_events) {
  std::string error;
  for (size_t i = 0; i < span.events.size(); ++i) {
    if (span.events[i].name != "exception") continue;
    if (!error.empty()) error += "\n\n";
    error += ExceptionText(span.events[i]);
    if (FullyInError(span.events[i])) (*used_events)[i] = true;
  }
  if (error.empty() && span.status_code == StatusCode::kError) {
    error = span.status_message.empty() ? "error" : span.status_message;
  }
  return error;
}

std::string DefaultType(const Span& span) {
  if (span.parent_span_id.empty() || span.kind == SpanKind::kServer ||
      span.kind == SpanKind::kConsumer) {
    return "task";
  }
  return "function";
}

void AddOtelMetadata(const TraceRequest& req, const Span& span,
                     const std::vector<bool>& used_events, json::Object* md) {
  const Scope& scope = req.scopes[span.scope];
  const Resource& resource = req.resources[scope.resource];
  if (!resource.attributes.empty()) md->set("otel.resource", AttributesObject(resource.attributes));
  if (!scope.name.empty() || !scope.version.empty() || !scope.attributes.empty()) {
    json::Object s{{"name", scope.name}};
    if (!scope.version.empty()) s.set("version", scope.version);
    if (!scope.attributes.empty()) s.set("attributes", AttributesObject(scope.attributes));
    md->set("otel.scope", std::move(s));
  }
  if (const char* kind = KindName(span.kind)) md->set("otel.span_kind", kind);
  if (!span.trace_state.empty()) md->set("otel.trace_state", span.trace_state);
  json::Array events;
  for (size_t i = 0; i < span.events.size(); ++i) {
    if (!used_events[i]) events.push_back(EventJson(span.events[i]));
  }
  if (!events.empty()) md->set("otel.events", std::move(events));
  json::Array links;
  for (const Link& l : span.links) {
    json::Object link{{"trace_id", HexId(l.trace_id)}, {"span_id", HexId(l.span_id)}};
    if (!l.attributes.empty()) link.set("attributes", AttributesObject(l.attributes));
    links.push_back(std::move(link));
  }
  if (!links.empty()) md->set("otel.links", std::move(links));
}

// Unconsumed span attributes, then derived entries, then braintrust.metadata.
json::Object Metadata(const SpanAttrs& attrs, RowParts& parts) {
  json::Object md;
  for (size_t i = 0; i < attrs.attributes().size(); ++i) {
    const auto& [k, v] = attrs.attributes()[i];
    if (attrs.IsLast(i) && (parts.preserve_attributes || !attrs.IsConsumed(k))) md.set(k, v);
  }
  for (auto& [k, v] : parts.metadata) md.set(k, std::move(v));
  for (auto& [k, v] : parts.metadata_override) md.set(k, std::move(v));
  return md;
}

void AddTimes(const Span& span, json::Object* metrics) {
  if (span.start_time_unix_nano > 0) {
    internal::SetIfAbsent(*metrics, "start", Seconds(span.start_time_unix_nano));
  }
  if (span.end_time_unix_nano > 0) {
    internal::SetIfAbsent(*metrics, "end", Seconds(span.end_time_unix_nano));
  }
  const json::Value* p = metrics->find("prompt_tokens");
  const json::Value* c = metrics->find("completion_tokens");
  if (p && c && p->is_int() && c->is_int() && !metrics->contains("tokens")) {
    metrics->set("tokens", p->as_int() + c->as_int());
  }
}

json::Object Assemble(const TraceRequest& req, const Span& span, SpanAttrs& attrs, RowParts& parts,
                      const std::vector<bool>& used_events, std::string error) {
  json::Object row{{"id", HexId(span.span_id)},
                   {"span_id", HexId(span.span_id)},
                   {"root_span_id", HexId(span.trace_id)}};
  if (!span.parent_span_id.empty() && !AllZero(span.parent_span_id)) {
    row.set("span_parents", json::Array{HexId(span.parent_span_id)});
  }
  if (span.start_time_unix_nano > 0) {
    row.set("created", FormatIsoMillis(static_cast<int64_t>(span.start_time_unix_nano / 1000000)));
  }
  if (!parts.input.is_null()) row.set("input", std::move(parts.input));
  if (!parts.output.is_null()) row.set("output", std::move(parts.output));
  if (!parts.expected.is_null()) row.set("expected", std::move(parts.expected));
  if (!error.empty()) row.set("error", std::move(error));
  if (!parts.scores.empty()) row.set("scores", std::move(parts.scores));
  AddTimes(span, &parts.metrics);
  row.set("metrics", std::move(parts.metrics));
  json::Object md = Metadata(attrs, parts);
  AddOtelMetadata(req, span, used_events, &md);
  row.set("metadata", std::move(md));
  if (parts.tags) row.set("tags", std::move(*parts.tags));
  json::Object sa{{"name", span.name},
                  {"type", parts.type.empty() ? DefaultType(span) : parts.type}};
  for (auto& [k, v] : parts.span_attributes) {
    if (k != "type") sa.set(k, std::move(v));
  }
  row.set("span_attributes", std::move(sa));
  return row;
}

}  // namespace

Result<MappedSpan> MapSpan(const TraceRequest& req, const Span& span) {
  RETURN_IF_ERROR(CheckIds(span));
  SpanAttrs attrs(span.attributes);
  RowParts parts;
  std::vector<bool> used_events(span.events.size(), false);
  internal::ApplyBraintrust(attrs, &parts);
  internal::ApplyOpenInference(attrs, &parts);
  internal::ApplyGenAi(attrs, span, &parts, &used_events);
  std::string error = ErrorText(span, &used_events);
  MappedSpan out;
  out.parent = parts.parent;
  out.row = Assemble(req, span, attrs, parts, used_events, std::move(error));
  return out;
}

}  // namespace spanlake::otel
