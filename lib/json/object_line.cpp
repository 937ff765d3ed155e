#include "json/object_line.hpp"

#include "json/value.hpp"
#include "util/error.hpp"

#include <string>

namespace json {

Value parse_object_line(std::string_view line)
{
  Value object;
  try {
    object = parse_value(line);
  } catch (const TooDeep& e) {
    throw util::Error(util::Errc::bad_input, std::string("not a JSON object: ") + e.what());
  } catch (const util::Error&) {
    // Any other failure is just not an object.
    throw util::Error(util::Errc::bad_input, "not a JSON object");
  }
  if (!object.is_object()) {
    throw util::Error(util::Errc::bad_input, "not a JSON object");
  }
  return object;
}

} // namespace json
