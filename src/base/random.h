// Identifiers and secrets from the OS's CSPRNG (getrandom).
#pragma once

#include <string>

namespace spanlake {

// `n` random bytes as 2n lowercase hex digits.
std::string RandomHex(size_t n_bytes);
// A random (version 4) UUID in canonical 8-4-4-4-12 form.
std::string NewUuid();
// True when `s` has the canonical UUID form (any version, case-insensitive).
bool IsUuid(std::string_view s);

}  // namespace spanlake
