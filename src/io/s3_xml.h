// The little XML the S3 store reads and writes: ListObjectsV2 results,
// multipart upload ids, error bodies, and the CompleteMultipartUpload body.
// Not a general XML parser: it finds <Tag>text</Tag> elements by name, which
// is all these flat S3 documents need. Bounds-checked on any input; malformed
// documents give Corruption, never a crash (fuzzable).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "io/object_store.h"

namespace spanlake::io::s3xml {

// Decodes &amp; &lt; &gt; &quot; &apos; and &#N; / &#xH; (as UTF-8). An
// unknown or unterminated entity is kept as written.
std::string Unescape(std::string_view text);
std::string Escape(std::string_view text);

// The raw inner text of each <tag>...</tag> (or "" for <tag/>) in order,
// searching from the start of `xml`; nested same-name tags are not supported.
std::vector<std::string_view> ElementTexts(std::string_view xml, std::string_view tag);
// The unescaped text of the first <tag>, or "" when there is none.
std::string FirstText(std::string_view xml, std::string_view tag);

struct ListPage {
  std::vector<ObjectInfo> objects;  // keys as the server sent them (prefix included)
  bool truncated = false;
  std::string next_token;
};
Result<ListPage> ParseListObjectsV2(std::string_view xml);

// The CompleteMultipartUpload request body for parts 1..n with these ETags.
std::string CompleteMultipartBody(const std::vector<std::string>& etags);

}  // namespace spanlake::io::s3xml
