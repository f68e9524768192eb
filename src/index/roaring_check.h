// Structural validation of a Roaring bitmap in the portable serialization
// (the format CRoaring, Java and Go share). CRoaring's "safe" deserializer
// checks only that it stays inside the buffer; a bitmap whose containers break
// their invariants (unsorted keys, overlapping or overflowing runs, wrong
// cardinalities) would later make CRoaring read or write out of bounds. So a
// reader of untrusted bytes validates first, then deserializes.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace spanlake::index {

struct RoaringShape {
  uint64_t cardinality = 0;
  uint32_t max_value = 0;  // meaningful when cardinality > 0
};

// OK when `bytes` is exactly one well-formed portable bitmap (no trailing
// bytes). Errors are Status::Corruption naming the container and the problem.
Result<RoaringShape> ValidatePortableRoaring(std::string_view bytes);

}  // namespace spanlake::index
