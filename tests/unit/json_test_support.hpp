#pragma once
// Checks shared by the tests of the JSON readers and of what reads JSON through them.

#include "util/error.hpp"

#include <gtest/gtest.h>

#include <string>

/// Expects READ() to refuse a value nested deeper than json::k_max_depth as bad input that
/// says so, rather than accept it or overflow the stack; WHAT names the input when it is
/// accepted.
template <typename Read>
void expect_refused_as_too_deep(Read read, const std::string& what)
{
  try {
    read();
    ADD_FAILURE() << "accepted " << what;
  } catch (const util::Error& e) {
    EXPECT_EQ(e.code(), util::Errc::bad_input);
    EXPECT_NE(std::string(e.what()).find("nested more than 1000 levels deep"), std::string::npos)
      << e.what();
  }
}
