// Attachments and signed object URLs. Attachment bytes and overflow payloads
// are kept under <data-dir>/objects/<kind>/<org>/<key>; clients upload and
// download them through URLs this server signs (expiry + HMAC), which carry
// no Authorization header, as the SDK expects of object storage.
#include <filesystem>

#include "base/file.h"
#include "server/api.h"

namespace spanlake::server {

namespace {

using Call = Api::Call;
constexpr const char* kKind = "attachment";

// Keys are client-chosen (the SDK uses UUIDs): allow only safe characters.
Status CheckKey(const std::string& key) {
  if (key.empty() || key.size() > 200) return Status::InvalidArgument("'key' must be 1 to 200 characters");
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return Status::InvalidArgument("'key' may hold only letters, digits, '-', '_' and '.'");
    }
  }
  if (key == "." || key == "..") return Status::InvalidArgument("'key' is not a valid name");
  return Status::Ok();
}

std::string ObjectKey(const meta::Principal& who, const std::string& key) {
  return "attachments/" + who.org_id + "/" + key;
}

Result<json::Value> AttachmentStatus(Api& api, const meta::Principal& who, const std::string& key) {
  ASSIGN_OR_RETURN(auto rec, api.store().GetObject(kKind, who.org_id, ObjectKey(who, key)));
  if (!rec) return json::Value(json::Object{{"upload_status", "uploading"}});
  return *rec->find("status");
}

Status SaveStatus(Api& api, const meta::Principal& who, const std::string& key, const json::Value& status) {
  std::string id = ObjectKey(who, key);
  json::Value doc(json::Object{{"id", id}, {"status", status}});
  ASSIGN_OR_RETURN(auto rec, api.store().GetObject(kKind, who.org_id, id));
  if (rec) return api.store().UpdateObject(kKind, who.org_id, id, id, doc);
  return api.store().CreateObject(kKind, who.org_id, "", id, doc);
}

Result<http::Response> RequestUpload(Api& api, Call& call) {
  ASSIGN_OR_RETURN(std::string key, RequireString(call.body, "key"));
  RETURN_IF_ERROR(CheckKey(key));
  RETURN_IF_ERROR(SaveStatus(api, call.who, key, json::Object{{"upload_status", "uploading"}}));
  std::string url = api.SignedObjectUrl(call.req, ObjectKey(call.who, key), "PUT");
  return JsonResponse(json::Object{{"signedUrl", url}, {"headers", json::Object{}}});
}

Result<http::Response> ReportStatus(Api& api, Call& call) {
  ASSIGN_OR_RETURN(std::string key, RequireString(call.body, "key"));
  RETURN_IF_ERROR(CheckKey(key));
  const json::Value* status = call.body.find("status");
  if (status == nullptr || !status->is_object() || !status->find("upload_status") ||
      !status->find("upload_status")->is_string()) {
    return Status::InvalidArgument("'status' must be {upload_status, error_message?}");
  }
  RETURN_IF_ERROR(SaveStatus(api, call.who, key, *status));
  return JsonResponse(json::Object{{"status", "success"}});
}

Result<http::Response> Download(Api& api, Call& call) {
  if (const std::string* url = call.req.Query("url")) {  // external attachment: not ours to sign
    return JsonResponse(json::Object{{"downloadUrl", *url}, {"status", json::Object{{"upload_status", "done"}}}});
  }
  const std::string* key = call.req.Query("key");
  if (key == nullptr) return Status::InvalidArgument("query parameter 'key' is required");
  RETURN_IF_ERROR(CheckKey(*key));
  ASSIGN_OR_RETURN(json::Value status, AttachmentStatus(api, call.who, *key));
  std::string url = api.SignedObjectUrl(call.req, ObjectKey(call.who, *key), "GET");
  return JsonResponse(json::Object{{"downloadUrl", url}, {"status", std::move(status)}});
}

// PUT/GET /objects/<kind>/<org>/<key>?expires=…&sig=…
Result<http::Response> ServeObject(Api& api, Call& call) {
  std::string key = call.params[0] + "/" + call.params[1] + "/" + call.params[2];
  if (call.params[0] != "attachments" && call.params[0] != "overflow") {
    return Status::NotFound("no such object");
  }
  RETURN_IF_ERROR(CheckKey(call.params[2]));
  RETURN_IF_ERROR(VerifyObjectSignature(api.options(), call.req, key));
  std::string path = api.ObjectPath(key);
  if (call.req.method == "PUT") {
    RETURN_IF_ERROR(CreateDirs(std::filesystem::path(path).parent_path().string()));
    RETURN_IF_ERROR(WriteFileAtomic(path, call.req.body, 0600));
    return JsonResponse(json::Object{});
  }
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  http::Response r;
  r.content_type = "application/octet-stream";
  r.body = std::move(bytes);
  return r;
}

}  // namespace

void RegisterAttachmentRoutes(Api& api) {
  api.Route("POST", "/attachment", Bind(api, RequestUpload));
  api.Route("POST", "/attachment/status", Bind(api, ReportStatus));
  api.Route("GET", "/attachment", Bind(api, Download));
  api.Route("PUT", "/objects/{kind}/{org}/{key}", Bind(api, ServeObject), /*auth=*/false);
  api.Route("GET", "/objects/{kind}/{org}/{key}", Bind(api, ServeObject), /*auth=*/false);
}

}  // namespace spanlake::server
