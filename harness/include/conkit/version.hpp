// conkit/version.hpp — the version of the conkit library (also in reports and `conkit --version`).
#pragma once

namespace conkit {
const char* version();
}
