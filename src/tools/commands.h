// Subcommands of the `spanlake` binary.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace spanlake::tools {

// Parses "--name value" and "--name=value" pairs; returns false (and prints
// why) on anything else or an unknown flag.
bool ParseFlags(const std::vector<std::string>& args, std::map<std::string, std::string>& flags);

int Serve(const std::vector<std::string>& args);
int Keys(const std::vector<std::string>& args);
int Verify(const std::vector<std::string>& args);
int Dump(const std::vector<std::string>& args);

// Meta database path in a data directory.
std::string MetaPath(const std::string& data_dir);

}  // namespace spanlake::tools
