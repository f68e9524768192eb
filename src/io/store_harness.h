// Test support: the backends the ObjectStore conformance suite runs against.
// Mem, Local (a temp dir), Faulty(Mem) with no rules always; S3 when
// SPANLAKE_TEST_S3_ENDPOINT is set (see tests/s3/start-s3.sh):
//   SPANLAKE_TEST_S3_ENDPOINT   http://127.0.0.1:PORT
//   SPANLAKE_TEST_S3_BUCKET     bucket to use (created if missing; default spanlake-test)
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (default us-east-1)
//   SPANLAKE_TEST_S3_SERVER=s3rver   the server is s3rver, whose known gaps the
//                                    suite skips: it ignores If-None-Match, and
//                                    answers a range on an empty object with a
//                                    broken 206 (AWS answers 416)
//   SPANLAKE_TEST_S3_VIRTUAL_HOST=1  also run with virtual-host addressing,
//                                    via http://<bucket>.s3.localhost:PORT
// Each S3 harness works under its own random prefix and deletes it after.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "io/object_store.h"

namespace spanlake::io::testing {

class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  virtual ObjectStore* store() = 0;
  // False when the backend cannot make PutIfAbsent exclusive (see s3_store.h).
  virtual bool conditional_create() const { return true; }
  // False when the backend mishandles a ranged read of an empty object.
  virtual bool ranges_on_empty_objects() const { return true; }
};

struct Backend {
  std::string name;
  std::unique_ptr<StoreHarness> (*make)();
};

inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

// Every backend to run, S3 included when configured.
std::vector<Backend> ConformanceBackends();
// True when the environment names an S3 server for tests.
bool S3Configured();
// A fresh temporary directory (removed by the caller).
std::string MakeTempDir();
void RemoveTree(const std::string& dir);

}  // namespace spanlake::io::testing
