#include "cursor_file.hpp"

#include "util/error.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace cmd {

std::optional<std::string> CursorFile::load() const
{
  std::ifstream file(m_path, std::ios::binary);
  if (!file) {
    return std::nullopt;
  }
  std::string position((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (!position.empty() && position.back() == '\n') {
    position.pop_back();
  }
  return position;
}

void CursorFile::save(const std::string& position)
{
  if (m_saved && *m_saved == position) {
    return;
  }
  const std::string temporary = m_path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << position << '\n';
    if (!file.flush()) {
      throw util::Error(util::Errc::runtime, "cannot write the cursor file", temporary);
    }
  }
  if (std::rename(temporary.c_str(), m_path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw util::Error(util::Errc::runtime, "cannot replace the cursor file", m_path);
  }
  m_saved = position;
}

} // namespace cmd
