#include "io/s3_config.h"

#include <cstdlib>

#include "io/object_store.h"

namespace spanlake::io {

namespace {

std::optional<std::string> FirstSet(const EnvLookup& env, const char* a, const char* b) {
  if (auto v = env(a)) return v;
  return env(b);
}

// Splits "http://host:port[/]" into scheme and authority.
Status ParseEndpoint(std::string_view endpoint, S3Config* config) {
  size_t sep = endpoint.find("://");
  std::string_view scheme = sep == std::string_view::npos ? "" : endpoint.substr(0, sep);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("S3 endpoint \"" + std::string(endpoint) +
                                   "\" must start with http:// or https://");
  }
  std::string_view rest = endpoint.substr(sep + 3);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@") != std::string_view::npos) {
    return Status::InvalidArgument("S3 endpoint \"" + std::string(endpoint) +
                                   "\" must be scheme://host[:port] with no path");
  }
  config->scheme = std::string(scheme);
  config->host = std::string(rest);
  return Status::Ok();
}

Result<bool> ParseBool(const std::string& name, const std::string& value) {
  if (value == "1" || value == "true" || value == "TRUE" || value == "yes") return true;
  if (value == "0" || value == "false" || value == "FALSE" || value == "no") return false;
  return Status::InvalidArgument(name + "=\"" + value + "\" is not true/false/1/0");
}

Status ParseBucketAndPrefix(std::string_view url, S3Config* config) {
  if (!url.starts_with("s3://")) {
    return Status::InvalidArgument("object store URL \"" + std::string(url) +
                                   "\" does not start with s3://");
  }
  std::string_view rest = url.substr(5);
  size_t slash = rest.find('/');
  config->bucket = std::string(rest.substr(0, slash));
  if (config->bucket.empty() || config->bucket.find_first_of("?#:@") != std::string::npos) {
    return Status::InvalidArgument("object store URL \"" + std::string(url) +
                                   "\" has no valid bucket name");
  }
  std::string_view prefix = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (!prefix.empty()) {
    RETURN_IF_ERROR(ValidateKey(prefix).WithContext("prefix of " + std::string(url)));
    config->prefix = std::string(prefix) + "/";
  }
  return Status::Ok();
}

}  // namespace

std::optional<std::string> GetEnvironment(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

Result<S3Config> S3ConfigFromUrl(std::string_view url, const EnvLookup& env) {
  S3Config config;
  RETURN_IF_ERROR(ParseBucketAndPrefix(url, &config));
  config.region = FirstSet(env, "AWS_REGION", "AWS_DEFAULT_REGION").value_or("us-east-1");
  auto endpoint = FirstSet(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
  if (endpoint) {
    RETURN_IF_ERROR(ParseEndpoint(*endpoint, &config));
  } else {
    config.host = "s3." + config.region + ".amazonaws.com";
  }
  config.path_style = endpoint.has_value();
  if (auto v = env("S3_FORCE_PATH_STYLE")) {
    ASSIGN_OR_RETURN(config.path_style, ParseBool("S3_FORCE_PATH_STYLE", *v));
  }
  auto key = env("AWS_ACCESS_KEY_ID");
  auto secret = env("AWS_SECRET_ACCESS_KEY");
  if (!key || !secret) {
    return Status::InvalidArgument("object store " + std::string(url) +
                                   " needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  config.credentials = {*key, *secret, env("AWS_SESSION_TOKEN").value_or("")};
  return config;
}

}  // namespace spanlake::io
