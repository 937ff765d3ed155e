#pragma once
// State mode for a command: its options and the session that prints the state. Kept under
// this name for the commands that include it; the pieces are state_options.hpp,
// state_session.hpp and, for --view, terminal_view.hpp over lib/view.

#include "state_options.hpp"
#include "state_session.hpp"
