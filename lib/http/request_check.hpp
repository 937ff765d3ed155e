#pragma once
// What may go on the wire: the method and header names are RFC 9110 tokens, header values and
// credentials hold no CR, LF, NUL or other control character. So no value that a user, a file
// or a server supplies can add a header or split the request. One check, used by cmd for each
// option (to name it) and by the transport for every request it sends.

#include "http/transport.hpp"

#include <string>
#include <string_view>

namespace http {

/// Why TEXT cannot be a method or a header name ("is empty", "contains ' '"); empty when it can.
std::string token_problem(std::string_view text);

/// Why TEXT cannot be a header value ("contains a line break (CR or LF)", "contains a control
/// character (0x07)"); empty when it can. Tab is allowed; bytes above 0x7F are passed on.
std::string value_problem(std::string_view text);

/// The first part of REQUEST that cannot be sent as it is, e.g. "the value of header
/// 'Last-Event-ID' contains a line break (CR or LF)"; empty when every part can.
std::string request_problem(const Request& request);

/// Throws util::Error for a transfer that no retry can mend: usage for an invalid_request
/// ("cannot send the request: ..."), bad_input for a bad_response; returns for the rest.
void throw_if_unrecoverable(const TransferResult& result, const std::string& url);

} // namespace http
