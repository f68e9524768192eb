#include "io/store_harness.h"

#include <stdlib.h>

#include <cstring>
#include <filesystem>

#include "base/random.h"
#include "io/faulty_store.h"
#include "io/local_store.h"
#include "io/mem_store.h"
#include "io/s3_store.h"

namespace spanlake::io::testing {

namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  return GetEnvironment(name).value_or(fallback);
}

class MemHarness : public StoreHarness {
 public:
  ObjectStore* store() override { return &store_; }

 private:
  MemObjectStore store_;
};

class LocalHarness : public StoreHarness {
 public:
  LocalHarness() : dir_(MakeTempDir()) {
    auto opened = LocalObjectStore::Open(dir_ + "/objects");
    if (opened.ok()) store_ = std::move(opened).value();
  }
  ~LocalHarness() override { RemoveTree(dir_); }
  ObjectStore* store() override { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<LocalObjectStore> store_;
};

class FaultyHarness : public StoreHarness {
 public:
  ObjectStore* store() override { return &store_; }

 private:
  FaultyObjectStore store_{std::make_shared<MemObjectStore>()};
};

bool IsS3rver() { return EnvOr("SPANLAKE_TEST_S3_SERVER", "") == "s3rver"; }

class S3Harness : public StoreHarness {
 public:
  explicit S3Harness(bool virtual_host) {
    std::string endpoint = EnvOr("SPANLAKE_TEST_S3_ENDPOINT", "");
    std::string bucket = EnvOr("SPANLAKE_TEST_S3_BUCKET", "spanlake-test");
    auto env = [&](const char* name) -> std::optional<std::string> {
      if (std::strcmp(name, "AWS_ENDPOINT_URL_S3") == 0) return endpoint;
      if (std::strcmp(name, "S3_FORCE_PATH_STYLE") == 0) return virtual_host ? "0" : "1";
      return GetEnvironment(name);
    };
    auto config = S3ConfigFromUrl("s3://" + bucket + "/conformance-" + RandomHex(6), env);
    if (!config.ok()) return;
    // curl resolves *.localhost to loopback, so <bucket>.s3.localhost reaches
    // the server, which is told its domain is s3.localhost.
    if (virtual_host) {
      size_t colon = config->host.rfind(':');
      config->host = "s3.localhost" + (colon == std::string::npos ? "" : config->host.substr(colon));
    }
    // Small enough that the suite's large object takes the multipart path
    // (S3's minimum part is 5 MiB) and its listings take several pages.
    config->multipart_threshold = config->part_size = size_t{5} << 20;
    config->list_page_size = 7;
    config->base_backoff = std::chrono::milliseconds(20);
    auto opened = S3ObjectStore::Open(std::move(config).value());
    if (!opened.ok()) return;
    store_ = std::move(opened).value();
    (void)store_->CreateBucket();
  }
  ~S3Harness() override {
    if (store_ == nullptr) return;
    auto all = store_->List("");
    if (!all.ok()) return;
    for (const auto& info : *all) (void)store_->Delete(info.key);
  }
  ObjectStore* store() override { return store_.get(); }
  bool conditional_create() const override { return !IsS3rver(); }
  bool ranges_on_empty_objects() const override { return !IsS3rver(); }

 private:
  std::unique_ptr<S3ObjectStore> store_;
};

}  // namespace

bool S3Configured() { return GetEnvironment("SPANLAKE_TEST_S3_ENDPOINT").has_value(); }

std::vector<Backend> ConformanceBackends() {
  std::vector<Backend> out = {
      {"Mem", [] { return std::unique_ptr<StoreHarness>(new MemHarness()); }},
      {"Local", [] { return std::unique_ptr<StoreHarness>(new LocalHarness()); }},
      {"FaultyMem", [] { return std::unique_ptr<StoreHarness>(new FaultyHarness()); }},
  };
  if (S3Configured()) {
    out.push_back({"S3", [] { return std::unique_ptr<StoreHarness>(new S3Harness(false)); }});
    if (EnvOr("SPANLAKE_TEST_S3_VIRTUAL_HOST", "0") == "1") {
      out.push_back(
          {"S3VirtualHost", [] { return std::unique_ptr<StoreHarness>(new S3Harness(true)); }});
    }
  }
  return out;
}

std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "spanlake-io-XXXXXX").string();
  char* made = ::mkdtemp(tmpl.data());
  return made == nullptr ? "" : std::string(made);
}

void RemoveTree(const std::string& dir) {
  std::error_code ec;
  if (!dir.empty()) std::filesystem::remove_all(dir, ec);
}

}  // namespace spanlake::io::testing
