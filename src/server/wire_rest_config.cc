// REST: project configuration (scores, tags, span iframes), saved views and
// dataset snapshots — plain documents under a parent, served by the
// table-driven resource of wire_rest.cc. Dataset snapshots share their
// storage with the SDK's /api/dataset_snapshot endpoints (wire_snapshots.cc).
#include "engine/xact.h"
#include "server/wire_rest.h"

namespace spanlake::server::rest {

namespace {

const std::vector<std::string> kScoreTypes = {"slider",  "categorical", "weighted", "minimum",
                                              "maximum", "online",      "free-form"};
const std::vector<std::string> kViewTypes = {"projects",
                                             "experiments",
                                             "experiment",
                                             "playgrounds",
                                             "playground",
                                             "datasets",
                                             "dataset",
                                             "prompts",
                                             "parameters",
                                             "tools",
                                             "scorers",
                                             "classifiers",
                                             "logs",
                                             "monitor",
                                             "for_review_project_log",
                                             "for_review_experiments",
                                             "for_review_datasets"};

Status ValidateScore(Api&, const Call&, json::Value& body) {
  RETURN_IF_ERROR(CheckEnum(body, "score_type", kScoreTypes, /*nullable=*/false));
  return CheckType(body, "config", json::Type::kObject, "an object or null");
}

Status PatchScore(Api&, const Call&, const json::Value& patch, json::Value& doc) {
  RETURN_IF_ERROR(CheckEnum(patch, "score_type", kScoreTypes, /*nullable=*/false));
  ApplyPatch(doc, patch, {"name", "description", "score_type", "categories", "config"});
  return Status::Ok();
}

Status ValidateIframe(Api&, const Call&, json::Value& body) {
  return CheckType(body, "post_message", json::Type::kBool, "a boolean");
}

Status ValidateView(Api&, const Call&, json::Value& body) {
  RETURN_IF_ERROR(CheckEnum(body, "view_type", kViewTypes, /*nullable=*/true));
  RETURN_IF_ERROR(CheckType(body, "view_data", json::Type::kObject, "an object or null"));
  return CheckType(body, "options", json::Type::kObject, "an object or null");
}

Status PatchView(Api&, const Call&, const json::Value& patch, json::Value& doc) {
  RETURN_IF_ERROR(CheckEnum(patch, "view_type", kViewTypes, /*nullable=*/true));
  ApplyPatch(doc, patch, {"name", "view_type", "view_data", "options"});
  return Status::Ok();
}

// Views are unique by type and name on their object.
std::string ViewName(const json::Value& doc) {
  return StringField(doc, "view_type") + ":" + StringField(doc, "name");
}

Status ValidateSnapshot(Api&, const Call&, json::Value& body) {
  std::string xact = StringField(body, "xact_id");
  if (!engine::ParseXact(xact))
    return Status::InvalidArgument("'xact_id' is not a transaction id: " + xact);
  return Status::Ok();
}

}  // namespace

void RegisterConfigRoutes(Api& api) {
  RegisterResource(api,
                   Resource{.kind = "project_score",
                            .path = "/v1/project_score",
                            .scope = Scope::kProject,
                            .required = {"name", "score_type"},
                            .fields = {"name", "description", "score_type", "categories", "config"},
                            .name_params = {"project_score_name"},
                            .eq_params = {"score_type"},
                            .has_deleted_at = false,
                            .validate = ValidateScore,
                            .patch = PatchScore});
  RegisterResource(api, Resource{.kind = "project_tag",
                                 .path = "/v1/project_tag",
                                 .scope = Scope::kProject,
                                 .required = {"name"},
                                 .fields = {"name", "description", "color"},
                                 .patch_fields = {"name", "description", "color"},
                                 .name_params = {"project_tag_name"},
                                 .has_deleted_at = false});
  RegisterResource(api, Resource{.kind = "span_iframe",
                                 .path = "/v1/span_iframe",
                                 .scope = Scope::kProject,
                                 .required = {"name", "url"},
                                 .fields = {"name", "description", "url", "post_message"},
                                 .patch_fields = {"name", "description", "url", "post_message"},
                                 .name_params = {"span_iframe_name"},
                                 .validate = ValidateIframe});
  RegisterResource(api, Resource{.kind = "view",
                                 .path = "/v1/view",
                                 .scope = Scope::kObject,
                                 .required = {"name"},
                                 .fields = {"view_type", "name", "view_data", "options"},
                                 .name_params = {"view_name"},
                                 .eq_params = {"view_type"},
                                 .validate = ValidateView,
                                 .patch = PatchView,
                                 .unique_name = ViewName});
  RegisterResource(api, Resource{.kind = "dataset_snapshot",
                                 .path = "/v1/dataset_snapshot",
                                 .scope = Scope::kDataset,
                                 .required = {"name", "xact_id"},
                                 .fields = {"name", "description", "xact_id"},
                                 .patch_fields = {"name", "description"},
                                 .name_params = {"dataset_snapshot_name"},
                                 .has_user = false,
                                 .has_deleted_at = false,
                                 .validate = ValidateSnapshot});
}

}  // namespace spanlake::server::rest
