#include "meta/store.h"

namespace spanlake::meta {

bool IsPostgresUrl(const std::string& url_or_path) {
  return url_or_path.starts_with("postgres://") || url_or_path.starts_with("postgresql://");
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& url_or_path) {
  if (IsPostgresUrl(url_or_path)) return OpenPostgresStore(url_or_path);
  return OpenSqliteStore(url_or_path);
}

}  // namespace spanlake::meta
