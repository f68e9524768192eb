// The public REST v1 resources (api/braintrust-wire.md §6).
#include "server/api.h"

namespace spanlake::server {

void RegisterRestRoutes(Api&) {}

}  // namespace spanlake::server
