// OTLP/HTTP trace ingest: POST /otel/v1/traces, as Braintrust serves it.
//
// A request is an ExportTraceServiceRequest in binary protobuf or OTLP/JSON
// (by Content-Type; gzip is undone by the HTTP layer). The destination is the
// `x-bt-parent` header — project_id:<id>, project_name:<name> (created when
// missing, as project/register does) or experiment_id:<id> — or, per span,
// its braintrust.parent attribute. Spans become rows (src/otel/map.h) written
// as one transaction: the whole request or nothing.
//
// Responses follow the OTLP/HTTP specification: 200 with an empty
// ExportTraceServiceResponse on success, 200 with partial_success naming the
// rejected spans when some spans cannot be stored (bad ids, an unknown
// per-span destination), and 4xx/5xx with a google.rpc.Status body, each in
// the request's encoding.
#include <cctype>
#include <map>

#include "base/random.h"
#include "otel/map.h"
#include "otel/trace.h"
#include "server/api.h"
#include "server/objects.h"
#include "server/validate.h"

namespace spanlake::server {

namespace {

// Matches common collector defaults (20 MiB); the HTTP layer's own limit is
// larger and applies to every route.
constexpr size_t kMaxOtlpBodyBytes = size_t{16} << 20;
// How many rejection reasons partial_success.error_message spells out.
constexpr size_t kMaxReasons = 5;

enum class Encoding { kProtobuf, kJson };

std::optional<Encoding> RequestEncoding(const http::Request& req) {
  const std::string* ct = req.Header("content-type");
  std::string type = ct ? ct->substr(0, ct->find(';')) : "";
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type == "application/x-protobuf" || type == "application/protobuf") {
    return Encoding::kProtobuf;
  }
  if (type == "application/json") return Encoding::kJson;
  return std::nullopt;
}

// google.rpc.Code for the Status body of an error response.
int32_t GrpcCode(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return 3;
    case Code::kNotFound:
      return 5;
    case Code::kAlreadyExists:
      return 6;
    case Code::kPermissionDenied:
      return 7;
    case Code::kTooLarge:
      return 8;  // RESOURCE_EXHAUSTED
    case Code::kUnavailable:
      return 14;
    case Code::kUnauthenticated:
      return 16;
    default:
      return 13;  // INTERNAL
  }
}

http::Response Encoded(Encoding enc, int status, std::string proto, const json::Value& json) {
  http::Response r;
  r.status = status;
  if (enc == Encoding::kProtobuf) {
    r.content_type = "application/x-protobuf";
    r.body = std::move(proto);
  } else {
    r.body = json.Dump();
  }
  return r;
}

http::Response OtlpError(Encoding enc, const Status& st) {
  http::Response plain = ErrorResponse(st);  // the one Status → HTTP mapping (and its logging)
  http::Response r = Encoded(enc, plain.status, otel::EncodeStatusProto(GrpcCode(st.code()), st.message()),
                             otel::EncodeStatusJson(GrpcCode(st.code()), st.message()));
  r.headers = std::move(plain.headers);  // Retry-After on 503, which OTLP exporters honour
  return r;
}

http::Response OtlpSuccess(Encoding enc, int64_t rejected, const std::string& message) {
  return Encoded(enc, 200, otel::EncodeExportResponseProto(rejected, message),
                 otel::EncodeExportResponseJson(rejected, message));
}

// Where rows go: the container fields every row of a destination carries.
struct Destination {
  json::Object fields;  // {project_id, log_id:"g"} or {experiment_id}
};

Result<std::string> ProjectIdByName(Api& api, const meta::Principal& who, const std::string& name) {
  ASSIGN_OR_RETURN(auto found, api.store().FindObjectByName("project", who.org_id, "", name));
  if (!found) {
    acl::Authorizer az(api.store(), who);
    RETURN_IF_ERROR(az.Require(acl::Permission::kCreate, acl::OrgTarget(who.org_id, "project")));
    ASSIGN_OR_RETURN(found, EnsureProject(api, who, name));
  }
  return found->find("id")->as_string();
}

// Parses and resolves "project_id:<id>" | "project_name:<name>" | "experiment_id:<id>".
Result<Destination> ResolveParent(Api& api, const meta::Principal& who, const std::string& parent) {
  size_t colon = parent.find(':');
  std::string kind = parent.substr(0, colon);
  std::string value = colon == std::string::npos ? "" : parent.substr(colon + 1);
  if (value.empty() ||
      (kind != "project_id" && kind != "project_name" && kind != "experiment_id")) {
    return Status::InvalidArgument(
        "parent '" + parent +
        "' must be project_id:<id>, project_name:<name> or experiment_id:<id>");
  }
  if (kind == "experiment_id") {
    if (!IsUuid(value)) return Status::NotFound("experiment '" + value + "' not found");
    RETURN_IF_ERROR(
        api.ResolveContainer(who, "experiment", value, acl::Permission::kUpdate).status());
    return Destination{json::Object{{"experiment_id", value}}};
  }
  std::string project_id = value;
  if (kind == "project_name") {
    ASSIGN_OR_RETURN(project_id, ProjectIdByName(api, who, value));
  } else if (!IsUuid(value)) {
    return Status::NotFound("project '" + value + "' not found");
  }
  Status st =
      api.ResolveContainer(who, "project_logs", project_id, acl::Permission::kUpdate).status();
  if (st.code() == Code::kNotFound) {
    return Status::NotFound("project '" + project_id + "' not found");
  }
  RETURN_IF_ERROR(st);
  return Destination{json::Object{{"project_id", project_id}, {"log_id", "g"}}};
}

// The spans of a request as rows, and the reasons spans were rejected.
struct Batch {
  json::Array rows;
  int64_t rejected = 0;
  std::vector<std::string> reasons;

  void Reject(const std::string& reason) {
    ++rejected;
    if (reasons.size() < kMaxReasons) reasons.push_back(reason);
  }
  std::string Message() const {
    std::string m;
    for (const std::string& r : reasons) m += (m.empty() ? "" : "; ") + r;
    if (rejected > static_cast<int64_t>(reasons.size())) m += "; ...";
    return m;
  }
};

class Exporter {
 public:
  Exporter(Api& api, const meta::Principal& who, std::optional<std::string> header_parent)
      : api_(api), who_(who), header_parent_(std::move(header_parent)) {}

  // Errors that fail the whole request; per-span problems land in batch->reasons.
  Status Collect(const otel::TraceRequest& req, Batch* batch);

 private:
  Result<Destination> DestinationFor(const std::string& parent);
  Status AddSpan(const otel::TraceRequest& req, const otel::Span& span, Batch* batch);

  Api& api_;
  const meta::Principal& who_;
  std::optional<std::string> header_parent_;
  std::map<std::string, Result<Destination>> resolved_;
};

Result<Destination> Exporter::DestinationFor(const std::string& parent) {
  auto it = resolved_.find(parent);
  if (it == resolved_.end()) {
    it = resolved_.emplace(parent, ResolveParent(api_, who_, parent)).first;
  }
  return it->second;
}

Status Exporter::Collect(const otel::TraceRequest& req, Batch* batch) {
  if (header_parent_) {
    RETURN_IF_ERROR(DestinationFor(*header_parent_).status().WithContext("x-bt-parent"));
  }
  for (const otel::Span& span : req.spans) RETURN_IF_ERROR(AddSpan(req, span, batch));
  return Status::Ok();
}

Status Exporter::AddSpan(const otel::TraceRequest& req, const otel::Span& span, Batch* batch) {
  Result<otel::MappedSpan> mapped = otel::MapSpan(req, span);
  if (!mapped.ok()) {
    batch->Reject(mapped.status().message());
    return Status::Ok();
  }
  std::string parent = mapped->parent.empty() ? header_parent_.value_or("") : mapped->parent;
  if (parent.empty()) {
    return Status::InvalidArgument(
        "the x-bt-parent header is required (project_id:<id>, "
        "project_name:<name> or experiment_id:<id>)");
  }
  Result<Destination> dest = DestinationFor(parent);
  if (!dest.ok()) {
    if (dest.status().code() == Code::kInternal || dest.status().code() == Code::kIOError) {
      return dest.status();
    }
    batch->Reject("span " + otel::HexId(span.span_id) +
                  ": braintrust.parent: " + dest.status().message());
    return Status::Ok();
  }
  json::Object row = std::move(mapped->row);
  for (const auto& [k, v] : dest->fields) row.set(k, v);
  Status shape = ValidateRowShape(row, "span " + otel::HexId(span.span_id));
  if (!shape.ok()) {
    batch->Reject(shape.message());
    return Status::Ok();
  }
  batch->rows.push_back(json::Value(std::move(row)));
  return Status::Ok();
}

Result<otel::TraceRequest> Decode(Encoding enc, const std::string& body) {
  Result<otel::TraceRequest> req =
      enc == Encoding::kProtobuf ? otel::DecodeProtobuf(body) : otel::DecodeJson(body);
  if (!req.ok()) return req.status().WithContext("cannot decode the OTLP request");
  return req;
}

// Everything after the encoding is known; errors become OTLP error responses.
Result<http::Response> Export(Api& api, const http::Request& http_req, Encoding enc) {
  if (http_req.body.size() > kMaxOtlpBodyBytes) {
    return Status::TooLarge("request body of " + std::to_string(http_req.body.size()) +
                            " bytes is over the limit of " + std::to_string(kMaxOtlpBodyBytes));
  }
  ASSIGN_OR_RETURN(meta::Principal who, api.Authenticate(http_req));
  const std::string* header = http_req.Header("x-bt-parent");
  ASSIGN_OR_RETURN(otel::TraceRequest req, Decode(enc, http_req.body));
  Exporter exporter(api, who, header && !header->empty() ? std::optional(*header) : std::nullopt);
  Batch batch;
  RETURN_IF_ERROR(exporter.Collect(req, &batch));
  if (!batch.rows.empty()) {
    ASSIGN_OR_RETURN(std::vector<engine::RowWrite> writes,
                     PrepareRows(api, who, json::Value(std::move(batch.rows))));
    RETURN_IF_ERROR(api.engine().Write(std::move(writes)).status());
  }
  return OtlpSuccess(enc, batch.rejected, batch.Message());
}

Result<http::Response> Traces(Api& api, Api::Call& call) {
  std::optional<Encoding> enc = RequestEncoding(call.req);
  if (!enc) {
    return http::Response::Error(415,
                                 "Content-Type must be application/x-protobuf or application/json");
  }
  Result<http::Response> r = Export(api, call.req, *enc);
  return r.ok() ? std::move(r).value() : OtlpError(*enc, r.status());
}

}  // namespace

void RegisterOtelRoutes(Api& api) {
  // Authenticates itself so that even a 401 is an OTLP Status in the request's encoding.
  api.Route("POST", "/otel/v1/traces", Bind(api, Traces), /*auth=*/false, /*raw_body=*/true);
}

}  // namespace spanlake::server
