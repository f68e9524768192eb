// The mapping from OpenTelemetry spans to Spanlake rows (the Braintrust span
// row shape). docs/otel.md is the user-facing table; this is its code.
//
// A span becomes one row whose `id` and `span_id` are the span id in hex, so a
// span re-sent by a retrying exporter has the same id and replaces the
// earlier row. `root_span_id` is the trace id, `span_parents` the parent span
// id (absent on roots), so the spans of a trace form one tree whatever order
// or request they arrive in.
//
// Attribute conventions are read in precedence order: braintrust.* first,
// then OpenInference, then the GenAI semantic conventions; each fills only
// what is still unset. An attribute whose value was moved into a structured
// field (input, output, metrics, ...) is left out of metadata; every other
// span attribute is kept in `metadata` under its own key, the resource's
// under metadata["otel.resource"] (unless braintrust.otel.preserve_attributes
// is true, which keeps every attribute).
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "base/status.h"
#include "json/value.h"
#include "otel/trace.h"

namespace spanlake::otel {

struct MappedSpan {
  // The row, without container fields (project_id/log_id or experiment_id)
  // and without control fields: a full replace of any earlier row.
  json::Object row;
  // The span's own destination (its braintrust.parent attribute, e.g.
  // "project_name:foo"); empty when it has none and the request's applies.
  std::string parent;
};

// InvalidArgument, with the reason, for a span that cannot be stored: a
// trace id that is not 16 bytes or is all zero, a span id that is not 8
// bytes or is all zero, a parent span id that is neither empty nor 8 bytes.
Result<MappedSpan> MapSpan(const TraceRequest& request, const Span& span);

}  // namespace spanlake::otel
