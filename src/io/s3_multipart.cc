// S3ObjectStore's multipart upload: start, upload parts in order, complete;
// abort on any failure so the bucket keeps no orphaned parts.
#include <algorithm>

#include "io/s3_store.h"
#include "io/s3_xml.h"

namespace spanlake::io {

namespace {

constexpr uint64_t kMaxParts = 10'000;  // S3's limit per upload

}  // namespace

Result<std::string> S3ObjectStore::StartMultipart(const std::string& key) {
  Call call{"POST", key, {{"uploads", ""}}, {}, {}};
  ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status != 200) return ErrorFor(call, response);
  std::string id = s3xml::FirstText(response.body, "UploadId");
  if (id.empty()) return Status::IOError("s3 CreateMultipartUpload for " + key + ": no UploadId");
  return id;
}

Result<std::string> S3ObjectStore::UploadPart(const std::string& key, const std::string& upload_id,
                                              int number, std::string_view part) {
  Call call{"PUT", key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}}, {},
            part};
  ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status != 200) return ErrorFor(call, response);
  std::string etag = response.Header("etag");
  if (etag.empty()) {
    return Status::IOError("s3 UploadPart " + std::to_string(number) + " of " + key + ": no ETag");
  }
  return etag;
}

Status S3ObjectStore::CompleteMultipart(const std::string& key, const std::string& upload_id,
                                        const std::vector<std::string>& etags,
                                        std::string_view bytes, bool if_absent) {
  std::string body = s3xml::CompleteMultipartBody(etags);
  Call call{"POST", key, {{"uploadId", upload_id}}, {{"content-type", "application/xml"}}, body};
  if (if_absent) call.headers.emplace_back("if-none-match", "*");
  bool retried = false;
  ASSIGN_OR_RETURN(HttpResponse response, Send(call, &retried));
  // S3 may answer 200 and still report an error in the body.
  bool failed = response.status != 200 || response.body.find("<Error>") != std::string::npos;
  if (!failed) return Status::Ok();
  // A retry after an attempt that may have completed sees 412 or NoSuchUpload.
  if (retried && (response.status == 412 || response.status == 404)) {
    return ResolveConflict(key, bytes);
  }
  if (response.status == 200) response.status = 500;  // the in-body error: transient per AWS
  return ErrorFor(call, response);
}

Status S3ObjectStore::PutMultipart(std::string_view key_view, std::string_view bytes,
                                   bool if_absent) {
  std::string key(key_view);
  uint64_t part_size = std::max<uint64_t>(config_.part_size,
                                          (bytes.size() + kMaxParts - 1) / kMaxParts);
  ASSIGN_OR_RETURN(std::string upload_id, StartMultipart(key));
  std::vector<std::string> etags;
  Status status;
  for (uint64_t off = 0; off < bytes.size() && status.ok(); off += part_size) {
    int number = static_cast<int>(etags.size()) + 1;
    Result<std::string> etag = UploadPart(key, upload_id, number, bytes.substr(off, part_size));
    if (etag.ok()) {
      etags.push_back(std::move(etag).value());
    } else {
      status = etag.status();
    }
  }
  if (status.ok()) status = CompleteMultipart(key, upload_id, etags, bytes, if_absent);
  if (!status.ok()) {
    // Best effort: the upload's parts cost storage until aborted.
    Call abort{"DELETE", key, {{"uploadId", upload_id}}, {}, {}};
    (void)Send(abort);
  }
  return status;
}

}  // namespace spanlake::io
