#pragma once
// Suggestions for a mistyped name ("did you mean 'tail'?"), as ninja and git make them.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace util {

/// The number of single-character insertions, deletions and substitutions that turn A into B.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to WORD by edit_distance, if one is within MAX_DISTANCE (ties: the
/// first in CANDIDATES); none when no candidate is that close.
std::optional<std::string> closest(std::string_view word, std::span<const std::string_view> candidates,
                                   std::size_t max_distance = 2);

} // namespace util
