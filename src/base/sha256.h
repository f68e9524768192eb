// SHA-256, used to store API keys hashed.
#pragma once

#include <string>
#include <string_view>

namespace spanlake {

// Lowercase hex digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace spanlake
