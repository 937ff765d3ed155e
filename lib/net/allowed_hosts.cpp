#include "net/allowed_hosts.hpp"

#include "util/error.hpp"
#include "util/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace net {
namespace {

bool is_ip_address(const std::string& text)
{
  unsigned char address[16];
  return ::inet_pton(AF_INET, text.c_str(), address) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), address) == 1;
}

bool is_loopback_name(std::string_view name)
{
  constexpr std::string_view local = "localhost";
  return name == local ||
         (name.size() > local.size() && name.substr(name.size() - local.size()) == local &&
          name[name.size() - local.size() - 1] == '.');
}

/// The name in a Host header value, in lower case, without port, brackets or a trailing dot;
/// empty when the value is malformed.
std::string host_name(std::string_view host)
{
  std::string_view name;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) {
      return {};
    }
    name = host.substr(1, close - 1);
    host.remove_prefix(close + 1);
  } else {
    const auto colon = host.find(':');
    name = host.substr(0, colon);
    host.remove_prefix(colon == std::string_view::npos ? host.size() : colon);
  }
  if (!host.empty()) {
    if (host.front() != ':' ||
        !std::all_of(host.begin() + 1, host.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return {};
    }
  }
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  return util::to_lower(name);
}

bool is_host_name(std::string_view name)
{
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_';
  });
}

} // namespace

AllowedHosts::AllowedHosts(std::string_view bound, const std::vector<std::string>& names)
{
  const std::string bound_name = host_name(bound);
  if (is_host_name(bound_name)) {
    m_names.push_back(bound_name);
  }
  for (const std::string& name : names) {
    if (name == "*") {
      m_any = true;
      continue;
    }
    std::string lower = util::to_lower(name);
    if (!lower.empty() && lower.back() == '.') {
      lower.pop_back();
    }
    if (!is_host_name(lower) || lower == ".") {
      throw util::Error(util::Errc::usage,
                        "not a host name (NAME, .DOMAIN for it and the names under it, or *)",
                        "'" + name + "'");
    }
    m_names.push_back(std::move(lower));
  }
}

bool AllowedHosts::allows(std::string_view host) const
{
  if (m_any) {
    return true;
  }
  const std::string name = host_name(host);
  if (name.empty()) {
    return false;
  }
  if (is_loopback_name(name) || is_ip_address(name)) {
    return true;
  }
  return std::any_of(m_names.begin(), m_names.end(), [&](const std::string& allowed) {
    if (allowed.front() != '.') {
      return name == allowed;
    }
    return name == std::string_view(allowed).substr(1) ||
           (name.size() > allowed.size() &&
            name.compare(name.size() - allowed.size(), allowed.size(), allowed) == 0);
  });
}

bool AllowedHosts::allows(const HttpRequest& request) const
{
  const std::string* host = request.header("host");
  return host == nullptr || allows(*host);
}

std::string AllowedHosts::refusal(std::string_view host, const util::SettingNamer& name_setting) const
{
  const std::string name = host_name(host);
  return "Host '" + std::string(host) + "' is not allowed: the server answers its own address, " +
         "localhost and IP addresses; start it with " +
         util::name_of(name_setting, util::Setting::allow_host) + " " +
         (name.empty() ? std::string("NAME") : name) + " to answer that name too\n";
}

} // namespace net
