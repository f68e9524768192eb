// Binary protobuf decoding of ExportTraceServiceRequest. Field numbers are
// those of opentelemetry-proto (collector/trace/v1, trace/v1, common/v1,
// resource/v1); each Decode* method reads one message.
#include "otel/proto.h"
#include "otel/trace.h"

namespace spanlake::otel {

namespace {

std::string Indexed(const char* name, size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

Status ReadString(const ProtoField& f, const char* name, std::string* out) {
  RETURN_IF_ERROR(ExpectType(f, WireType::kLen, name));
  out->assign(f.bytes);
  return Status::Ok();
}

Status ReadUint32(const ProtoField& f, const char* name, uint32_t* out) {
  RETURN_IF_ERROR(ExpectType(f, WireType::kVarint, name));
  *out = static_cast<uint32_t>(f.scalar);
  return Status::Ok();
}

class Decoder {
 public:
  explicit Decoder(size_t budget) : budget_(budget), limit_(budget) {}

  Status Request(std::string_view bytes, TraceRequest* req);

 private:
  // Accounts for `n` bytes of decoded structs; TooLarge past the budget.
  Status Charge(size_t n) {
    if (n > budget_) {
      return Status::TooLarge("request decodes to more than " + std::to_string(limit_) +
                              " bytes of spans");
    }
    budget_ -= n;
    return Status::Ok();
  }

  Status ResourceSpans(std::string_view bytes, size_t resource, TraceRequest* req);
  Status ScopeSpans(std::string_view bytes, size_t scope, TraceRequest* req);
  Status Scope(std::string_view bytes, otel::Scope* scope);
  Status Span(std::string_view bytes, otel::Span* s);
  Status SpanField(const ProtoField& f, otel::Span* s);
  Status Event(std::string_view bytes, otel::Event* e);
  Status Link(std::string_view bytes, otel::Link* l);
  Status SpanStatus(std::string_view bytes, otel::Span* s);
  Status KeyValues(std::string_view bytes, const char* name, int depth, Attributes* out);
  Status AppendKeyValue(const ProtoField& f, int depth, const char* name, Attributes* out);
  Status KeyValue(std::string_view bytes, int depth, Attributes* out);
  Status AnyValue(std::string_view bytes, int depth, json::Value* out);
  Status AnyValueField(const ProtoField& f, int depth, json::Value* out);
  Status ArrayValue(std::string_view bytes, int depth, json::Value* out);
  Status KvList(std::string_view bytes, int depth, json::Value* out);

  size_t budget_;
  const size_t limit_;
};

Status Decoder::Request(std::string_view bytes, TraceRequest* req) {
  return ForEachField(bytes, [&](const ProtoField& f) -> Status {
    if (f.number != 1) return Status::Ok();
    RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "resource_spans"));
    RETURN_IF_ERROR(Charge(sizeof(Resource)));
    req->resources.emplace_back();
    size_t i = req->resources.size() - 1;
    return ResourceSpans(f.bytes, i, req).WithContext(Indexed("resource_spans", i));
  });
}

Status Decoder::ResourceSpans(std::string_view bytes, size_t resource, TraceRequest* req) {
  size_t n = 0;
  return ForEachField(bytes, [&](const ProtoField& f) -> Status {
    switch (f.number) {
      case 1:
        RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "resource"));
        return KeyValues(f.bytes, "attributes", 0, &req->resources[resource].attributes)
            .WithContext("resource");
      case 2:
        RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "scope_spans"));
        RETURN_IF_ERROR(Charge(sizeof(otel::Scope)));
        req->scopes.emplace_back();
        req->scopes.back().resource = resource;
        return ScopeSpans(f.bytes, req->scopes.size() - 1, req)
            .WithContext(Indexed("scope_spans", n++));
      case 3:
        return ReadString(f, "schema_url", &req->resources[resource].schema_url);
      default:
        return Status::Ok();
    }
  });
}

Status Decoder::ScopeSpans(std::string_view bytes, size_t scope, TraceRequest* req) {
  size_t n = 0;
  return ForEachField(bytes, [&](const ProtoField& f) -> Status {
    switch (f.number) {
      case 1:
        RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "scope"));
        return Scope(f.bytes, &req->scopes[scope]).WithContext("scope");
      case 2: {
        RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "spans"));
        RETURN_IF_ERROR(Charge(sizeof(otel::Span)));
        otel::Span span;
        span.scope = scope;
        RETURN_IF_ERROR(Span(f.bytes, &span).WithContext(Indexed("spans", n++)));
        req->spans.push_back(std::move(span));
        return Status::Ok();
      }
      default:
        return Status::Ok();
    }
  });
}

Status Decoder::Scope(std::string_view bytes, otel::Scope* scope) {
  return ForEachField(bytes, [&](const ProtoField& f) -> Status {
    switch (f.number) {
      case 1: return ReadString(f, "name", &scope->name);
      case 2: return ReadString(f, "version", &scope->version);
      case 3: return AppendKeyValue(f, 0, "attributes", &scope->attributes);
      default: return Status::Ok();
    }
  });
}

Status Decoder::Span(std::string_view bytes, otel::Span* s) {
  return ForEachField(bytes, [&](const ProtoField& f) -> Status { return SpanField(f, s); });
}

Status Decoder::SpanField(const ProtoField& f, otel::Span* s) {
  switch (f.number) {
    case 1:
      return ReadString(f, "trace_id", &s->trace_id);
    case 2:
      return ReadString(f, "span_id", &s->span_id);
    case 3:
      return ReadString(f, "trace_state", &s->trace_state);
    case 4:
      return ReadString(f, "parent_span_id", &s->parent_span_id);
    case 5:
      return ReadString(f, "name", &s->name);
    case 6:
      RETURN_IF_ERROR(ExpectType(f, WireType::kVarint, "kind"));
      s->kind = static_cast<SpanKind>(static_cast<int32_t>(f.scalar));
      return Status::Ok();
    case 7:
      RETURN_IF_ERROR(ExpectType(f, WireType::kFixed64, "start_time_unix_nano"));
      s->start_time_unix_nano = f.scalar;
      return Status::Ok();
    case 8:
      RETURN_IF_ERROR(ExpectType(f, WireType::kFixed64, "end_time_unix_nano"));
      s->end_time_unix_nano = f.scalar;
      return Status::Ok();
    case 9:
      return AppendKeyValue(f, 0, "attributes", &s->attributes);
    case 10:
      return ReadUint32(f, "dropped_attributes_count", &s->dropped_attributes_count);
    case 11:
      RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "events"));
      RETURN_IF_ERROR(Charge(sizeof(otel::Event)));
      s->events.emplace_back();
      return Event(f.bytes, &s->events.back()).WithContext(Indexed("events", s->events.size() - 1));
    case 12:
      return ReadUint32(f, "dropped_events_count", &s->dropped_events_count);
    case 13:
      RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "links"));
      RETURN_IF_ERROR(Charge(sizeof(otel::Link)));
      s->links.emplace_back();
      return Link(f.bytes, &s->links.back()).WithContext(Indexed("links", s->links.size() - 1));
    case 14:
      return ReadUint32(f, "dropped_links_count", &s->dropped_links_count);
    case 15:
      RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "status"));
      return SpanStatus(f.bytes, s).WithContext("status");
    case 16:
      RETURN_IF_ERROR(ExpectType(f, WireType::kFixed32, "flags"));
      s->flags = static_cast<uint32_t>(f.scalar);
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

Status Decoder::Event(std::string_view bytes, otel::Event* e) {
  return ForEachField(bytes, [&](const ProtoField& f) -> Status {
    switch (f.number) {
      case 1:
        RETURN_IF_ERROR(ExpectType(f, WireType::kFixed64, "time_unix_nano"));
        e->time_unix_nano = f.scalar;
        return Status::Ok();
      case 2: return ReadString(f, "name", &e->name);
      case 3: return AppendKeyValue(f, 0, "attributes", &e->attributes);
      default: return Status::Ok();
    }
  });
}

Status Decoder::Link(std::string_view bytes, otel::Link* l) {
  return ForEachField(bytes, [&](const ProtoField& f) -> Status {
    switch (f.number) {
      case 1: return ReadString(f, "trace_id", &l->trace_id);
      case 2: return ReadString(f, "span_id", &l->span_id);
      case 3: return ReadString(f, "trace_state", &l->trace_state);
      case 4: return AppendKeyValue(f, 0, "attributes", &l->attributes);
      default: return Status::Ok();
    }
  });
}

Status Decoder::SpanStatus(std::string_view bytes, otel::Span* s) {
  return ForEachField(bytes, [&](const ProtoField& f) -> Status {
    switch (f.number) {
      case 2: return ReadString(f, "message", &s->status_message);
      case 3:
        RETURN_IF_ERROR(ExpectType(f, WireType::kVarint, "code"));
        s->status_code = static_cast<StatusCode>(static_cast<int32_t>(f.scalar));
        return Status::Ok();
      default: return Status::Ok();
    }
  });
}

// A message whose field 1 is `repeated KeyValue` (Resource, KeyValueList).
Status Decoder::KeyValues(std::string_view bytes, const char* name, int depth, Attributes* out) {
  return ForEachField(bytes, [&](const ProtoField& f) -> Status {
    return f.number == 1 ? AppendKeyValue(f, depth, name, out) : Status::Ok();
  });
}

Status Decoder::AppendKeyValue(const ProtoField& f, int depth, const char* name, Attributes* out) {
  RETURN_IF_ERROR(ExpectType(f, WireType::kLen, name));
  if (out->size() >= kMaxKeyedEntries) {
    return Status::InvalidArgument(std::string(name) + ": more than " +
                                   std::to_string(kMaxKeyedEntries) + " entries");
  }
  RETURN_IF_ERROR(Charge(sizeof(Attributes::value_type)));
  return KeyValue(f.bytes, depth, out).WithContext(Indexed(name, out->size()));
}

Status Decoder::KeyValue(std::string_view bytes, int depth, Attributes* out) {
  std::string key;
  json::Value value;
  RETURN_IF_ERROR(ForEachField(bytes, [&](const ProtoField& f) -> Status {
    switch (f.number) {
      case 1: return ReadString(f, "key", &key);
      case 2:
        RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "value"));
        return AnyValue(f.bytes, depth, &value).WithContext("value");
      default: return Status::Ok();
    }
  }));
  out->emplace_back(std::move(key), std::move(value));
  return Status::Ok();
}

Status Decoder::AnyValue(std::string_view bytes, int depth, json::Value* out) {
  if (depth > kMaxValueDepth) {
    return Status::InvalidArgument("values nested deeper than " + std::to_string(kMaxValueDepth));
  }
  *out = json::Value();  // an AnyValue with no field set is empty: null
  return ForEachField(bytes,
                      [&](const ProtoField& f) -> Status { return AnyValueField(f, depth, out); });
}

Status Decoder::AnyValueField(const ProtoField& f, int depth, json::Value* out) {
  switch (f.number) {
    case 1: {
      std::string s;
      RETURN_IF_ERROR(ReadString(f, "string_value", &s));
      *out = json::Value(std::move(s));
      return Status::Ok();
    }
    case 2:
      RETURN_IF_ERROR(ExpectType(f, WireType::kVarint, "bool_value"));
      *out = json::Value(f.as_bool());
      return Status::Ok();
    case 3:
      RETURN_IF_ERROR(ExpectType(f, WireType::kVarint, "int_value"));
      *out = json::Value(f.as_int64());
      return Status::Ok();
    case 4:
      RETURN_IF_ERROR(ExpectType(f, WireType::kFixed64, "double_value"));
      *out = json::Value(f.as_double());
      return Status::Ok();
    case 5:
      RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "array_value"));
      return ArrayValue(f.bytes, depth + 1, out).WithContext("array_value");
    case 6:
      RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "kvlist_value"));
      return KvList(f.bytes, depth + 1, out).WithContext("kvlist_value");
    case 7:
      RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "bytes_value"));
      *out = json::Value(Base64(f.bytes));
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

Status Decoder::ArrayValue(std::string_view bytes, int depth, json::Value* out) {
  json::Array values;
  RETURN_IF_ERROR(ForEachField(bytes, [&](const ProtoField& f) -> Status {
    if (f.number != 1) return Status::Ok();
    RETURN_IF_ERROR(ExpectType(f, WireType::kLen, "values"));
    RETURN_IF_ERROR(Charge(sizeof(json::Value)));
    json::Value v;
    RETURN_IF_ERROR(AnyValue(f.bytes, depth, &v).WithContext(Indexed("values", values.size())));
    values.push_back(std::move(v));
    return Status::Ok();
  }));
  *out = json::Value(std::move(values));
  return Status::Ok();
}

Status Decoder::KvList(std::string_view bytes, int depth, json::Value* out) {
  Attributes entries;
  RETURN_IF_ERROR(KeyValues(bytes, "values", depth, &entries));
  json::Object obj;
  for (auto& [k, v] : entries) obj.set(k, std::move(v));
  *out = json::Value(std::move(obj));
  return Status::Ok();
}

}  // namespace

Result<TraceRequest> DecodeProtobuf(std::string_view body, size_t max_decoded_bytes) {
  TraceRequest req;
  Decoder d(max_decoded_bytes);
  RETURN_IF_ERROR(d.Request(body, &req));
  return req;
}

}  // namespace spanlake::otel
