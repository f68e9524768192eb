// OTLP/HTTP trace ingest.
#include "server/api.h"

namespace spanlake::server {

void RegisterOtelRoutes(Api&) {}

}  // namespace spanlake::server
