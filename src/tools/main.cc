// spanlake: the one binary. `spanlake serve` runs the data plane;
// `spanlake keys create` issues API keys.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: spanlake <command> [flags]\n"
    "\n"
    "commands:\n"
    "  serve         run the server (--listen HOST:PORT, --data-dir DIR, ...; see serve --help)\n"
    "  keys create   print a new API key for an org (--org NAME --data-dir DIR)\n"
    "  verify        check every stored object of a data directory or store URL\n"
    "  dump          print a segment, WAL file or manifest (see dump --help)\n";

}  // namespace

namespace spanlake::tools {

bool ParseFlags(const std::vector<std::string>& args, std::map<std::string, std::string>& flags) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      std::fprintf(stderr, "spanlake: unexpected argument '%s'\n", a.c_str());
      return false;
    }
    std::string name = a.substr(2), value;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (name == "help") {
      value = "1";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      std::fprintf(stderr, "spanlake: flag --%s needs a value\n", name.c_str());
      return false;
    }
    if (!flags.count(name)) {
      std::fprintf(stderr, "spanlake: unknown flag --%s\n", name.c_str());
      return false;
    }
    flags[name] = value;
  }
  return true;
}

std::string MetaPath(const std::string& data_dir) { return data_dir + "/meta.db"; }

}  // namespace spanlake::tools

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "serve") return spanlake::tools::Serve(args);
  if (cmd == "keys") return spanlake::tools::Keys(args);
  if (cmd == "verify") return spanlake::tools::Verify(args);
  if (cmd == "dump") return spanlake::tools::Dump(args);
  std::fprintf(stderr, "spanlake: unknown command '%s'\n%s", cmd.c_str(), kUsage);
  return 2;
}
