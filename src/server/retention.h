// The engine's retention callback (engine::RetentionFn) from metadata, so the
// engine never reads metadata itself:
//   - a container's rows are kept per its project's settings.retention_days
//     (an integer >= 0; 0 = forever; absent = the server's --retention-days);
//   - a soft-deleted project, experiment or dataset has all its rows purged.
// Containers are "project_logs:<project>", "experiment:<id>", "dataset:<id>";
// other kinds, unknown ids and lookup errors keep the default (an error never
// purges). Answers are cached for `ttl`: compaction asks for every container
// of every segment on each pass. Thread-safe; `store` must outlive it.
#pragma once

#include <chrono>

#include "engine/compact.h"
#include "meta/store.h"

namespace spanlake::server {

engine::RetentionFn MakeRetentionFn(meta::Store* store, std::chrono::seconds ttl = std::chrono::seconds(60));

// InvalidArgument naming the field unless `settings.retention_days` (when
// `body` has settings with that key) is null or an integer in [0, 100000].
Status CheckRetentionSetting(const json::Value& body);

}  // namespace spanlake::server
