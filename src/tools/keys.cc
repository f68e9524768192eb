// `spanlake keys create --org NAME --data-dir DIR`: for an operator on the
// server's machine (or, with --metadata postgres://..., anywhere that reaches
// the server's PostgreSQL). Works while the server runs (the metadata store is
// shared safely between processes).
#include <cstdio>

#include "base/file.h"
#include "base/random.h"
#include "meta/store.h"
#include "tools/commands.h"

namespace spanlake::tools {

int Keys(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "create") {
    std::fprintf(stderr, "usage: spanlake keys create --org NAME [--data-dir DIR] [--metadata URL|PATH] "
                 "[--name KEYNAME]\n");
    return 2;
  }
  std::map<std::string, std::string> flags{{"org", ""}, {"data-dir", "./spanlake-data"}, {"name", "operator"},
                                           {"metadata", ""}};
  if (!ParseFlags({args.begin() + 1, args.end()}, flags)) return 2;
  if (flags["org"].empty()) {
    std::fprintf(stderr, "spanlake keys create: --org NAME is required\n");
    return 2;
  }
  const std::string metadata = flags["metadata"];
  if (Status st = metadata.empty() ? CreateDirs(flags["data-dir"]) : Status::Ok(); !st.ok()) {
    std::fprintf(stderr, "spanlake: %s\n", st.ToString().c_str());
    return 1;
  }
  auto store = meta::OpenStore(metadata.empty() ? MetaPath(flags["data-dir"]) : metadata);
  if (!store.ok()) {
    std::fprintf(stderr, "spanlake: %s\n", store.status().ToString().c_str());
    return 1;
  }
  auto org = (*store)->EnsureOrg(flags["org"]);
  std::string key = "sk-" + RandomHex(24);
  Result<meta::Principal> added = org.ok() ? (*store)->AddApiKey(org->id, key, flags["name"])
                                           : Result<meta::Principal>(org.status());
  if (!added.ok()) {
    std::fprintf(stderr, "spanlake: %s\n", added.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", key.c_str());
  return 0;
}

}  // namespace spanlake::tools
