#include "conkit/version.hpp"

const char* conkit::version() { return CONKIT_VERSION; }
